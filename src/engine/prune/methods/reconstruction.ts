/**
 * Pruning with layer-wise reconstruction (SparseGPT, Frantar & Alistarh 2023; OBC, NeurIPS 2022):
 * for each pruned layer in network order, the inputs it sees on calibration images from the model
 * pruned so far give H = Σ x xᵀ; weights go by OBS saliency and the kept ones are updated to
 * compensate (recon/obs.ts). Unstructured per layer, or N:M along the input channels. No training.
 */
import { StudioError } from '../../errors';
import { cloneGraph, type WeightedNode } from '../../graph/ir';
import type { PruneSettings } from '../../jobs/compress-settings';
import { pruneParam } from '../../jobs/compress-settings';
import { fromRows, layerShape, toRows, type InputStats } from '../../recon/layer-problem';
import { obsPrune } from '../../recon/obs';
import { visitLayersInOrder } from '../../recon/in-order';
import { prunableNodes } from '../unstructured';
import type { Pruner, PruneContext, PruneOutcome } from './pruner';

/**
 * Above this many inputs per output (VGG16's 3x3x512 convolutions have 4,608), H is split into
 * diagonal blocks of whole kernel positions: the factorization is cubic in the block size, and a
 * 4,608-wide one takes minutes in JavaScript. Compensation then stays within a block.
 */
export const MAX_BLOCK_COLS = 2048;

/** SparseGPT's mask-selection block (columns chosen jointly). */
const MASK_BLOCK = 128;

function pruneLayer(n: WeightedNode, stats: InputStats, sparsity: number, p: PruneSettings, nm: boolean, damp: number): Uint8Array {
  const sh = layerShape(n);
  const ws = toRows(n);
  const w0s = ws.map((w) => Float64Array.from(w));
  const masks = ws.map((w, g) => {
    const h = stats.h[g];
    const span = sh.cols <= MAX_BLOCK_COLS ? sh.cols : Math.max(sh.channels, Math.floor(MAX_BLOCK_COLS / sh.channels) * sh.channels);
    const mask = new Uint8Array(w.length);
    for (let c0 = 0; c0 < sh.cols; c0 += span) {
      const width = Math.min(span, sh.cols - c0);
      const sub = new Float64Array(sh.rows * width);
      const hs = new Float64Array(width * width);
      for (let r = 0; r < sh.rows; r++) for (let c = 0; c < width; c++) sub[r * width + c] = w[r * sh.cols + c0 + c];
      for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) hs[i * width + j] = h[(c0 + i) * sh.cols + c0 + j];
      const m = obsPrune(sub, sh.rows, width, hs, { sparsity, damp, blockSize: MASK_BLOCK, nm: nm ? { n: p.n, m: p.m, channels: sh.channels } : undefined });
      for (let r = 0; r < sh.rows; r++) {
        for (let c = 0; c < width; c++) {
          w[r * sh.cols + c0 + c] = sub[r * width + c];
          mask[r * sh.cols + c0 + c] = m[r * width + c];
        }
      }
    }
    correctBias(n, g, w0s[g], w, stats.mean(g), sh.rows, sh.cols);
    return mask;
  });
  return fromRows(n, ws, masks)!;
}

/**
 * Keeps each output's mean where it was: the bias takes (W₀ − W)·E[x] (Nagel et al. 2019's bias
 * correction, here with the layer's own calibration inputs). Reconstruction fits the outputs'
 * second moment; what remains of its error is largely a per-channel shift that the next layers
 * (BatchNorm, ReLU) amplify. A layer without a bias gets one.
 */
function correctBias(n: WeightedNode, g: number, w0: Float64Array, w: Float64Array, mean: Float64Array, rows: number, cols: number): void {
  const outputs = n.kernel.shape[n.kernel.shape.length - 1] * (n.op === 'depthwise' ? n.kernel.shape[2] : 1);
  n.bias ??= { shape: [outputs], values: new Float32Array(outputs) };
  for (let r = 0; r < rows; r++) {
    let shift = 0;
    for (let c = 0; c < cols; c++) shift += (w0[r * cols + c] - w[r * cols + c]) * mean[c];
    n.bias.values[g * rows + r] += shift;
  }
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
