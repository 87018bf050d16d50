/**
 * Pruning with layer-wise reconstruction (SparseGPT, Frantar & Alistarh 2023; OBC, NeurIPS 2022):
 * for each pruned layer in network order, the inputs it sees on calibration images from the model
 * pruned so far give H = Σ x xᵀ; weights go by OBS saliency and the kept ones are updated to
 * compensate (recon/obs.ts), wide layers in blocks (recon/blocks.ts). Unstructured per layer, or
 * N:M along the input channels. No training.
 */
import { StudioError } from '../../errors';
import { cloneGraph, type WeightedNode } from '../../graph/ir';
import type { PruneSettings } from '../../jobs/compress-settings';
import { pruneParam } from '../../jobs/compress-settings';
import { fromRows, layerShape, toRows, type InputStats } from '../../recon/layer-problem';
import { correctBias, solveInBlocks } from '../../recon/blocks';
import { obsPrune } from '../../recon/obs';
import { visitLayersInOrder } from '../../recon/in-order';
import { prunableNodes } from '../unstructured';
import type { Pruner, PruneContext, PruneOutcome } from './pruner';

/** SparseGPT's mask-selection block (columns chosen jointly). */
const MASK_BLOCK = 128;

function pruneLayer(n: WeightedNode, stats: InputStats, sparsity: number, p: PruneSettings, nm: boolean, damp: number): Uint8Array {
  const sh = layerShape(n);
  const ws = toRows(n);
  const masks = ws.map((w, g) => {
    const w0 = Float64Array.from(w);
    const nmOpts = nm ? { n: p.n, m: p.m, channels: sh.channels } : undefined;
    const mask = solveInBlocks(w, sh.rows, sh.cols, stats.h[g], sh.channels, (sub, width, hs) => obsPrune(sub, sh.rows, width, hs, { sparsity, damp, blockSize: MASK_BLOCK, nm: nmOpts }));
    // Reconstruction fits the outputs' second moments; the rest of its error is largely a
    // per-channel shift that the next layers (BatchNorm, ReLU) amplify.
    correctBias(n, g, w0, w, stats.mean(g), sh.rows, sh.cols);
    return mask;
  });
  return fromRows(n, ws, masks)!;
}

export function reconstructionPruner(pattern: 'unstructured' | 'n:m'): Pruner {
  return {
    prune: async (g, p, ctx: PruneContext): Promise<PruneOutcome> => {
      if (!ctx.calibration) throw new StudioError('bad-settings', `${p.method} pruning reconstructs each layer from calibration images, and this job has no training images to draw them from.`, { method: p.method });
      const work = cloneGraph(g);
      const chosen = new Set(prunableNodes(work, { kind: 'per-layer', sparsity: p.sparsity, layerKinds: p.layerKinds, spareFirstLast: p.spareFirstLast }).map((n) => n.name));
      if (pattern === 'unstructured') for (const name of Object.keys(p.overrides)) chosen.add(name);
      const layers = work.nodes.filter((n): n is WeightedNode => chosen.has(n.name));
      const known = new Set(layers.map((n) => n.name));
      for (const name of Object.keys(p.overrides)) if (!known.has(name)) throw new StudioError('bad-settings', `Per-layer override names "${name}", which is not a conv, depthwise or dense layer of this model.`, { layer: name });
      const damp = pruneParam(p, 'damp');
      const masks = new Map<string, Uint8Array>();
      const { images } = await visitLayersInOrder(
        work,
        layers,
        { ...ctx.calibration, samples: pruneParam(p, 'images') },
        (n, stats) => void masks.set(n.name, pruneLayer(n, stats, p.overrides[n.name] ?? p.sparsity, p, pattern === 'n:m', damp)),
        { signal: ctx.signal, onProgress: ctx.onProgress },
      );
      return { graph: work, masks, detail: { calibrationImages: images, calibrationSource: 'training split' } };
    },
  };
}

export const reconstruction = reconstructionPruner('unstructured');
export const reconstructionNm = reconstructionPruner('n:m');
