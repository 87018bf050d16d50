/**
 * Calibration: runs the float inference graph on a sample of *training* images (never test
 * images, so the reported accuracy is not tuned on the test set) and chooses each calibrated
 * tensor's int8 range with the chosen method.
 *
 * Min-max uses the exact extremes over every value. Percentile and MSE work on a deterministic
 * sample of each tensor's values (every k-th element, capped at `maxSamples` per tensor) plus the
 * exact extremes, because 500 images of a 32x32x32 activation are 16M values per tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../graph/execute';
import type { Graph } from '../graph/ir';
import { toInputTensorAt } from '../preprocess';
import { epochPermutation } from '../train/data-order';
import type { ImageDataset, Preprocessing } from '../types';
import { yieldToEventLoop } from '../yield';
import { calibrate, type CalibrationMethod, type Range } from './calibrate';
import { calibratedNodes } from './quantize-graph';

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Number of training images (default 500). */
  samples?: number;
  percentile?: number;
  seed?: number;
  batch?: number;
  maxSamples?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The training records calibration uses: a seeded random subset, the same on every run. */
export function calibrationIndices(count: number, samples: number, seed: number): Uint32Array {
  return epochPermutation(count, seed, 1_000_003).subarray(0, Math.min(samples, count)).slice().sort();
}

export async function calibrateGraph(g: Graph, train: ImageDataset, prep: Preprocessing, o: CalibrationOptions): Promise<Record<string, Range>> {
  const names = calibratedNodes(g);
  const idx = calibrationIndices(train.count, o.samples ?? 500, o.seed ?? 1);
  const batch = o.batch ?? 50;
  const cap = o.maxSamples ?? 200_000;
  const batches = Math.ceil(idx.length / batch);
  const mins = new Map(names.map((n) => [n, Infinity]));
  const maxs = new Map(names.map((n) => [n, -Infinity]));
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  const compiled = compileGraph(g);
  try {
    for (let b = 0; b < batches; b++) {
      await yieldToEventLoop();
      o.signal?.throwIfAborted();
      const x = toInputTensorAt(train, idx.subarray(b * batch, (b + 1) * batch), prep);
      const outs = compiled.capture(x, names);
      x.dispose();
      try {
        for (const n of names) {
          if (o.method === 'minmax') {
            // The extremes on the backend: reading every value back to scan it in JavaScript made a
            // preview's calibration twice as long (custom CNN, CIFAR-10, 16 images: 73-88 ms, 37-48 here).
            const [lo, hi] = tf.tidy(() => [outs[n].min(), outs[n].max()]);
            const [l, h] = await Promise.all([lo.data(), hi.data()]);
            tf.dispose([lo, hi]);
            mins.set(n, Math.min(mins.get(n)!, l[0]));
            maxs.set(n, Math.max(maxs.get(n)!, h[0]));
            continue;
          }
          const v = (await outs[n].data()) as Float32Array;
          let lo = mins.get(n)!;
          let hi = maxs.get(n)!;
          for (let i = 0; i < v.length; i++) {
            if (v[i] < lo) lo = v[i];
            if (v[i] > hi) hi = v[i];
          }
          mins.set(n, lo);
          maxs.set(n, hi);
          const perBatch = Math.ceil(cap / batches);
          const stride = Math.max(1, Math.floor(v.length / perBatch));
          const s = samples.get(n)!;
          for (let i = (b * 7919) % stride; i < v.length; i += stride) s.push(v[i]);
        }
      } finally {
        tf.dispose(Object.values(outs));
      }
      o.onProgress?.(Math.min(idx.length, (b + 1) * batch), idx.length);
    }
  } finally {
    compiled.dispose();
  }
  const ranges: Record<string, Range> = {};
  for (const n of names) {
    if (o.method === 'minmax') ranges[n] = { min: mins.get(n)!, max: maxs.get(n)! };
    else {
      const s = samples.get(n)!;
      s.push(mins.get(n)!, maxs.get(n)!);
      ranges[n] = calibrate(s, o.method, o.percentile);
    }
  }
  return ranges;
}
