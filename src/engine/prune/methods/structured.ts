/** Structured filter pruning with surgery (prune/structured.ts): a new, smaller graph; no masks. */
import { structuredPrune } from '../structured';
import type { Pruner } from './pruner';

export const structured: Pruner = {
  prune: (g, p) => {
    const r = structuredPrune(g, { sparsity: p.sparsity, criterion: p.criterion, overrides: p.overrides, spareFirstLast: p.spareFirstLast });
    return { graph: r.graph, detail: { groups: r.removed } };
  },
};
