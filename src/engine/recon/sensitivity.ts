/**
 * Per-layer sensitivity: how much each weighted layer, compressed alone, costs. For every layer,
 * from its inputs on calibration images (the unpruned model's), the relative output error
 * ‖ΔW X‖²/‖W X‖² and the model's accuracy on held-back training images, with the layer pruned
 * by reconstruction at each sparsity, and with its weights on the int8 grid (nearest). Besides
 * accuracy, each trial records the mean KL divergence of its predictions from the unchanged
 * model's: accuracy on a few hundred images moves in steps of a fraction of a point and stays flat
 * until a layer breaks, while the divergence grows smoothly from zero, which is what allocating a
 * sparsity across layers (allocate.ts) needs. The held-back images are the next records of the same seeded permutation as the calibration
 * images, so the two sets never overlap and no test record is read.
 */
import { StudioError } from '../errors';
import { type CompiledGraph, compileGraph, frontier } from '../graph/execute';
import { type Graph, isWeighted, type WeightedNode } from '../graph/ir';
import * as tf from '@tensorflow/tfjs';
import { predictLogits } from '../evaluate';
import { toInputTensor } from '../preprocess';
import type { Granularity } from '../choices/quantize';
import { epochPermutation } from '../train/data-order';
import type { ImageDataset } from '../types';
import { fromRows, layerShape, toRows, type InputStats } from './layer-problem';
import { correctBias, fitToDense, solveInBlocks } from './blocks';
import { addRowProducts, dot, FIT_ROWS } from './linalg';
import { obsPrune } from './obs';
import { roundRows } from './quantize-weights';
import { visitLayersInOrder, type CalibrationSet, type InOrderOptions } from './in-order';

export interface SensitivityPoint {
  sparsity: number;
  /** ‖ΔW X‖² / ‖W X‖² on the calibration inputs (before bias). */
  outputError: number;
  /** Accuracy on the held-back images with only this layer changed. */
  accuracy: number;
  /** Mean KL(unchanged ‖ changed) of the predicted class probabilities on the held-back images, in nats. */
  divergence: number;
}

export interface LayerSensitivity {
  layer: string;
  op: WeightedNode['op'];
  weights: number;
  prune: SensitivityPoint[];
  int8: Omit<SensitivityPoint, 'sparsity'>;
}

export interface SensitivityReport {
  heldOutImages: number;
  calibrationImages: number;
  /** The unchanged model's accuracy on the held-back images. */
  baselineAccuracy: number;
  layers: LayerSensitivity[];
}

export interface SensitivityOptions extends InOrderOptions {
  sparsities: number[];
  heldOut: number;
  granularity: Granularity;
  damp?: number;
  /** Only these layers (by name); all weighted layers when absent. */
  layers?: readonly string[];
  /**
   * Measure in context: `g` is then an already-compressed version of `dense` (same layers and
   * shapes), each trial puts one layer's dense weights, pruned, into `g`, and the divergence is
   * from `dense`'s predictions. Costs are then marginal at that operating point rather than at
   * the dense model, where every other layer is still intact to absorb the change.
   */
  dense?: Graph;
  /** In context, each trial fits the layer to `dense`'s outputs first, as the pruner's `dense` parameter does (blocks.ts fitToDense). */
  fitToDense?: boolean;
}

/** Images `from`..`from+count` of the calibration permutation, as a dataset of their own. */
export function heldOutSet(ds: ImageDataset, from: number, count: number, seed: number): ImageDataset {
  const perm = epochPermutation(ds.count, seed, 1_000_003);
  const idx = perm.subarray(from, Math.min(ds.count, from + count));
  const size = ds.shape.reduce((a, b) => a * b, 1);
  const pixels = new Uint8Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  idx.forEach((r, i) => {
    pixels.set(ds.pixels.subarray(r * size, (r + 1) * size), i * size);
    labels[i] = ds.labels[r];
  });
  return { ...ds, count: idx.length, pixels, labels };
}

/**
 * Σ_r w_r H w_rᵀ over the rows of `w` (rows x cols): four rows at a time through the product kernel
 * of the factorizations (each value of H read once for four rows; one row at a time, a profiled
 * analysis of MobileNetV1 1.0 spent 48 of its 220 s here).
 */
export function quadraticSum(w: Float64Array, rows: number, cols: number, h: Float64Array): number {
  const t = new Float64Array(FIT_ROWS * cols);
  let sum = 0;
  let r = 0;
  for (; r + FIT_ROWS <= rows; r += FIT_ROWS) {
    t.fill(0);
    addRowProducts(t, cols, w, cols, r * cols, cols, h, cols, 0, 0, cols);
    for (let q = 0; q < FIT_ROWS; q++) sum += dot(t, q * cols, w, (r + q) * cols, cols);
  }
  for (; r < rows; r++) for (let i = 0; i < cols; i++) sum += w[r * cols + i] * dot(h, i * cols, w, r * cols, cols);
  return sum;
}

/** tr(W H Wᵀ), summed over the layer's groups. */
function outputEnergy(ws: Float64Array[], stats: InputStats): number {
  const { rows, cols } = stats.shape;
  return ws.reduce((sum, w, g) => sum + quadraticSum(w, rows, cols, stats.h[g]), 0);
}

/** tr(ΔW H ΔWᵀ) / tr(W₀ H W₀ᵀ), given the denominator (the same for every trial of a layer). */
function errorRatio(w0s: Float64Array[], ws: Float64Array[], stats: InputStats, total: number): number {
  const err = outputEnergy(
    ws.map((w, g) => w.map((v, i) => v - w0s[g][i])),
    stats,
  );
  return total > 0 ? err / total : 0;
}

/** Log-probabilities from logits, row by row. */
function logSoftmax(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length; r += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[r + k] - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < classes; k++) out[r + k] = logits[r + k] - lse;
  }
  return out;
}

/** Accuracy and mean KL(ref ‖ logp) of log-probabilities over labelled rows. */
export function agreement(ref: Float64Array, logp: Float64Array, labels: Uint8Array, classes: number): { accuracy: number; divergence: number } {
  let correct = 0;
  let kl = 0;
  for (let i = 0; i < labels.length; i++) {
    let arg = 0;
    for (let k = 0; k < classes; k++) {
      const j = i * classes + k;
      if (logp[j] > logp[i * classes + arg]) arg = k;
      kl += Math.exp(ref[j]) * (ref[j] - logp[j]);
    }
    if (arg === labels[i]) correct++;
  }
  return { accuracy: labels.length ? correct / labels.length : 0, divergence: labels.length ? Math.max(0, kl / labels.length) : 0 };
}

/** A report with what allocating a sparsity reads (`pruneSensitivity`): each pruning trial's accuracy and divergence. */
export type PruneSensitivityReport = Omit<SensitivityReport, 'layers'> & { layers: (Omit<LayerSensitivity, 'int8' | 'prune'> & { prune: Omit<SensitivityPoint, 'outputError'>[] })[] };

/** Each layer pruned alone at every sparsity, and quantized alone to int8. */
export async function layerSensitivity(g: Graph, cal: CalibrationSet, o: SensitivityOptions): Promise<SensitivityReport> {
  // With `complete`, analyse fills every layer's int8 and every trial's output error.
  return (await analyse(g, cal, o, true)) as SensitivityReport;
}

/**
 * Each layer pruned alone at every sparsity, without the int8 trial and the output errors: what
 * allocating a sparsity reads, one held-back pass per layer and a rows·cols² product per trial less.
 */
export function pruneSensitivity(g: Graph, cal: CalibrationSet, o: SensitivityOptions): Promise<PruneSensitivityReport> {
  return analyse(g, cal, o, false);
}

/** A layer as analyse measures it: output errors and the int8 trial only when `complete`. */
type Measured = Omit<LayerSensitivity, 'int8' | 'prune'> & {
  prune: (Omit<SensitivityPoint, 'outputError'> & { outputError?: number })[];
  int8?: Omit<LayerSensitivity['int8'], 'outputError'> & { outputError?: number };
};

async function analyse(g: Graph, cal: CalibrationSet, o: SensitivityOptions, complete: boolean): Promise<Omit<SensitivityReport, 'layers'> & { layers: Measured[] }> {
  const held = heldOutSet(cal.images, cal.samples, o.heldOut, cal.seed ?? 1);
  if (held.count === 0)
    throw new StudioError(
      'bad-settings',
      `Measuring each layer's sensitivity needs training images besides the ${cal.samples} calibration images, and the training split has only ${cal.images.count}. Use fewer calibration images, or uniform allocation.`,
      { field: 'prune.allocation' },
    );
  const classes = held.numClasses;
  const logProbs = async (model: Graph = g): Promise<Float64Array> => {
    const c = compileGraph(model, { foldBatchNorm: true });
    try {
      const out = new Float64Array(held.count * classes);
      for (let first = 0; first < held.count; first += 256) {
        o.signal?.throwIfAborted();
        const n = Math.min(256, held.count - first);
        out.set(logSoftmax(await predictLogits(c, held, cal.preprocessing, first, n), classes), first * classes);
      }
      return out;
    } finally {
      c.dispose();
    }
  };
  const ref = await logProbs(o.dense ?? g);
  /**
   * The held-back batches' activations where the network reaches `node` (the part before it is the
   * same in every trial), carried on from the previous layer's cut: every trial puts its layer's
   * weights back, so the model between two layers is the one the previous cut was taken in.
   */
  let lastCut: Record<string, tf.Tensor>[] | undefined;
  const cut = async (node: string, c: CompiledGraph): Promise<Record<string, tf.Tensor>[]> => {
    const names = frontier(g, node);
    const batches: Record<string, tf.Tensor>[] = [];
    try {
      for (let first = 0, b = 0; first < held.count; first += 256, b++) {
        if (lastCut) {
          batches.push(c.captureFrom(lastCut[b], names));
          continue;
        }
        const x = toInputTensor(held, first, Math.min(256, held.count - first), cal.preprocessing);
        try {
          batches.push(c.capture(x, names));
        } finally {
          x.dispose();
        }
      }
      return batches;
    } catch (e) {
      batches.forEach((b) => tf.dispose(Object.values(b)));
      throw e;
    }
  };
  /** Log-probabilities of `c` (compiled from `g` as it stands), run from the cut on. */
  const logProbsFrom = async (batches: Record<string, tf.Tensor>[], c: CompiledGraph): Promise<Float64Array> => {
    const out = new Float64Array(held.count * classes);
    for (const [b, given] of batches.entries()) {
      o.signal?.throwIfAborted();
      const y = c.predictFrom(given);
      try {
        out.set(logSoftmax((await y.data()) as Float32Array, classes), b * 256 * classes);
      } finally {
        y.dispose();
      }
    }
    return out;
  };
  const baselineAccuracy = agreement(ref, ref, held.labels, classes).accuracy;
  const layers: Measured[] = [];
  const wanted = o.layers && new Set(o.layers);
  const weighted = g.nodes.filter(isWeighted).filter((n) => !wanted || wanted.has(n.name));
  try {
    await visitLayersInOrder(
      g,
      weighted,
      cal,
      async (n, stats) => {
        // Compiled once per layer: each trial then uploads this layer's weights only (refresh).
        const compiled = compileGraph(g, { foldBatchNorm: true });
        try {
          await measureLayer(n, stats, compiled);
        } finally {
          compiled.dispose();
        }
      },
      { ...o, denseTargets: o.fitToDense ? o.dense : undefined },
    );
  } finally {
    lastCut?.forEach((b) => tf.dispose(Object.values(b)));
  }
  return { heldOutImages: held.count, calibrationImages: Math.min(cal.samples, cal.images.count), baselineAccuracy, layers };

  async function measureLayer(n: WeightedNode, stats: InputStats, compiled: CompiledGraph): Promise<void> {
    const batches = await cut(n.name, compiled);
    lastCut?.forEach((b) => tf.dispose(Object.values(b)));
    lastCut = batches;
    const sh = layerShape(n);
    const kept = n.kernel.values.slice();
    const origin = (o.dense?.nodes.find((x) => x.name === n.name) as WeightedNode | undefined) ?? n;
    const w0s = toRows(origin);
    const keptBias = n.bias?.values.slice();
    const total = complete ? outputEnergy(w0s, stats) : 0;
    const originBias = origin.bias?.values.slice();
    // The layer as the pruner would leave it (bias-corrected as it does), then put back.
    const tryWeights = async (ws: Float64Array[], biasCorrected: boolean): Promise<{ outputError?: number; accuracy: number; divergence: number }> => {
      fromRows(n, ws);
      if (originBias) (n.bias ??= { shape: [originBias.length], values: new Float32Array(originBias.length) }).values.set(originBias);
      else delete n.bias;
      if (biasCorrected) ws.forEach((w, i) => correctBias(n, i, w0s[i], w, stats.mean(i), sh.rows, sh.cols, stats.denseMean(i)));
      try {
        compiled.refresh(n.name);
        return { ...(complete ? { outputError: errorRatio(w0s, ws, stats, total) } : {}), ...agreement(ref, await logProbsFrom(batches, compiled), held.labels, classes) };
      } finally {
        n.kernel.values.set(kept);
        if (keptBias) (n.bias ??= { shape: [keptBias.length], values: new Float32Array(keptBias.length) }).values.set(keptBias);
        else delete n.bias;
      }
    };
    const prune: Measured['prune'] = [];
    // Fitted to the dense model's outputs once per layer (a cols x cols solve), then pruned at each sparsity.
    const few = w0s.map((_, i) => stats.vectors(i));
    const fitted = w0s.map((w, i) => {
      const c = Float64Array.from(w);
      const cross = stats.crossOf(i);
      if (cross) fitToDense(c, sh.rows, sh.cols, stats.h[i], cross, sh.channels, o.damp ?? 0.01, few[i]);
      return c;
    });
    for (const sparsity of o.sparsities) {
      const ws = fitted.map((w, i) => {
        const c = Float64Array.from(w);
        solveInBlocks(c, sh.rows, sh.cols, stats.h[i], sh.channels, (sub, width, hs) => obsPrune(sub, sh.rows, width, hs, { sparsity, damp: o.damp ?? 0.01, blockSize: 128, inputs: width === sh.cols ? few[i] : undefined }));
        return c;
      });
      prune.push({ sparsity, ...(await tryWeights(ws, true)) });
    }
    const layer = { layer: n.name, op: n.op, weights: n.kernel.values.length, prune };
    if (!complete) return void layers.push(layer);
    const q = w0s.map((w) => Float64Array.from(w));
    roundRows(n, q, undefined, { rounding: 'nearest', granularity: o.granularity });
    layers.push({ ...layer, int8: await tryWeights(q, false) });
  }
}
