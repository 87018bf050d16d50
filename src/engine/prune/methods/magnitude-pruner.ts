/** A pruner over one of unstructured.ts's magnitude mask algorithms (per layer, global, N:M). */
import type { PruneSettings } from '../../jobs/compress-settings';
import { applyMasks, unstructuredMasks, type UnstructuredKind, type UnstructuredOptions } from '../unstructured';
import type { Pruner } from './pruner';

export function magnitudeOptions(kind: UnstructuredKind, p: PruneSettings): UnstructuredOptions {
  return { kind, sparsity: p.sparsity, layerKinds: p.layerKinds, spareFirstLast: p.spareFirstLast, overrides: p.overrides, n: p.n, m: p.m };
}

export function magnitudePruner(kind: UnstructuredKind): Pruner {
  return {
    prune: (g, p) => {
      const masks = unstructuredMasks(g, magnitudeOptions(kind, p));
      return { graph: applyMasks(g, masks), masks, detail: {} };
    },
    masksAt: (g, p, sparsity) => unstructuredMasks(g, magnitudeOptions(kind, p), sparsity),
  };
}
