/** No pruning: the graph as it is. */
import type { Pruner } from './pruner';

export const none: Pruner = { prune: (g) => ({ graph: g, detail: {} }) };
