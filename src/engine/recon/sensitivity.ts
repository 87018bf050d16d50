/**
 * Per-layer sensitivity: how much each weighted layer, compressed alone, costs. For every layer,
 * from its inputs on calibration images (the unpruned model's), the relative output error
 * ‖ΔW X‖²/‖W X‖² and the model's accuracy on held-back training images, with the layer pruned
 * by reconstruction at each sparsity, and with its weights on the int8 grid (nearest). The
 * held-back images are the next records of the same seeded permutation as the calibration
 * images, so the two sets never overlap and no test record is read.
 */
import { compileGraph } from '../graph/execute';
import { type Graph, isWeighted, type WeightedNode } from '../graph/ir';
import { evaluate } from '../evaluate';
import type { Granularity } from '../choices/quantize';
import { epochPermutation } from '../train/data-order';
import type { ImageDataset } from '../types';
import { fromRows, layerShape, toRows, type InputStats } from './layer-problem';
import { solveInBlocks } from './blocks';
import { obsPrune } from './obs';
import { roundRows } from './quantize-weights';
import { visitLayersInOrder, type CalibrationSet, type InOrderOptions } from './in-order';

export interface SensitivityPoint {
  sparsity: number;
  /** ‖ΔW X‖² / ‖W X‖² on the calibration inputs (before bias). */
  outputError: number;
  /** Accuracy on the held-back images with only this layer changed. */
  accuracy: number;
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
}

/** Images `from`..`from+count` of the calibration permutation, as a dataset of their own. */
function heldOutSet(ds: ImageDataset, from: number, count: number, seed: number): ImageDataset {
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

/** tr(ΔW H ΔWᵀ) and tr(W H Wᵀ), summed over the layer's groups. */
function errorRatio(w0s: Float64Array[], ws: Float64Array[], stats: InputStats): number {
  const { rows, cols } = stats.shape;
  let err = 0;
  let total = 0;
  ws.forEach((w, g) => {
    const h = stats.h[g];
    const w0 = w0s[g];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < cols; i++) {
        let se = 0;
        let st = 0;
        for (let j = 0; j < cols; j++) {
          se += h[i * cols + j] * (w[r * cols + j] - w0[r * cols + j]);
          st += h[i * cols + j] * w0[r * cols + j];
        }
        err += (w[r * cols + i] - w0[r * cols + i]) * se;
        total += w0[r * cols + i] * st;
      }
    }
  });
  return total > 0 ? err / total : 0;
}

export async function layerSensitivity(g: Graph, cal: CalibrationSet, o: SensitivityOptions): Promise<SensitivityReport> {
  const held = heldOutSet(cal.images, cal.samples, o.heldOut, cal.seed ?? 1);
  const accuracy = async (): Promise<number> => {
    const c = compileGraph(g);
    try {
      return (await evaluate(c, held, cal.preprocessing, { signal: o.signal })).metrics.accuracy;
    } finally {
      c.dispose();
    }
  };
  const baselineAccuracy = await accuracy();
  const layers: LayerSensitivity[] = [];
  const weighted = g.nodes.filter(isWeighted);
  await visitLayersInOrder(
    g,
    weighted,
    cal,
    async (n, stats) => {
      const sh = layerShape(n);
      const kept = n.kernel.values.slice();
      const w0s = toRows(n);
      const tryWeights = async (ws: Float64Array[]): Promise<{ outputError: number; accuracy: number }> => {
        fromRows(n, ws);
        try {
          return { outputError: errorRatio(w0s, ws, stats), accuracy: await accuracy() };
        } finally {
          n.kernel.values.set(kept);
        }
      };
      const prune: SensitivityPoint[] = [];
      for (const sparsity of o.sparsities) {
        const ws = w0s.map((w, i) => {
          const c = Float64Array.from(w);
          solveInBlocks(c, sh.rows, sh.cols, stats.h[i], sh.channels, (sub, width, hs) => obsPrune(sub, sh.rows, width, hs, { sparsity, damp: o.damp ?? 0.01, blockSize: 128 }));
          return c;
        });
        prune.push({ sparsity, ...(await tryWeights(ws)) });
      }
      const q = w0s.map((w) => Float64Array.from(w));
      roundRows(n, q, undefined, { rounding: 'nearest', granularity: o.granularity });
      layers.push({ layer: n.name, op: n.op, weights: n.kernel.values.length, prune, int8: await tryWeights(q) });
    },
    o,
  );
  return { heldOutImages: held.count, calibrationImages: Math.min(cal.samples, cal.images.count), baselineAccuracy, layers };
}
