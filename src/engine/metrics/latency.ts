/**
 * Per-image latency: run the model at a fixed batch size after warm-up and report the median and
 * 95th percentile. Each timed run ends with a data read, because tfjs backends run asynchronously
 * and a timer stopped before the read measures only the dispatch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Predictor } from '../evaluate';
import type { LatencyStats } from '../types';
import { yieldToEventLoop } from '../yield';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/**
 * Sorted times (ms) of `runs` predictions of `x` after `warmup` untimed ones; `x` is disposed.
 * Each run ends with a data read (see the header); the loop yields so Cancel can arrive.
 */
async function timeRuns(model: Predictor, x: tf.Tensor, warmup: number, runs: number, yieldEvery: number, signal?: AbortSignal): Promise<number[]> {
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      if (i % yieldEvery === 0) await yieldToEventLoop();
      signal?.throwIfAborted();
      const t0 = performance.now();
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      const dt = performance.now() - t0;
      y.dispose();
      if (i >= warmup) times.push(dt);
    }
  } finally {
    x.dispose();
  }
  return times.sort((a, b) => a - b);
}

export async function measureLatency(model: Predictor, input: tf.Tensor4D, opts: { batch?: number; warmup?: number; runs?: number; signal?: AbortSignal } = {}): Promise<LatencyStats> {
  const batch = opts.batch ?? 1;
  const warmup = opts.warmup ?? 5;
  const runs = opts.runs ?? 30;
  const x = tf.tidy(() => input.slice([0, 0, 0, 0], [Math.min(batch, input.shape[0]), -1, -1, -1]));
  const n = x.shape[0];
  const times = (await timeRuns(model, x, warmup, runs, 10, opts.signal)).map((t) => t / n);
  return { backend: tf.getBackend(), batch: n, runs, medianMs: percentile(times, 50), p95Ms: percentile(times, 95) };
}

export interface Throughput {
  backend: string;
  batch: number;
  runs: number;
  imagesPerSecond: number;
}

/**
 * Images per second at a fixed batch (default 32), after warm-up: the median batch time over
 * `runs` timed runs. `input` holds at least one image; it is tiled up to the batch.
 */
export async function measureThroughput(model: Predictor, input: tf.Tensor4D, opts: { batch?: number; warmup?: number; runs?: number; signal?: AbortSignal } = {}): Promise<Throughput> {
  const batch = opts.batch ?? 32;
  const warmup = opts.warmup ?? 2;
  const runs = opts.runs ?? 10;
  const x = tf.tidy(() => {
    const reps = Math.ceil(batch / input.shape[0]);
    return tf.tile(input, [reps, 1, 1, 1]).slice([0, 0, 0, 0], [batch, -1, -1, -1]);
  });
  const times = await timeRuns(model, x, warmup, runs, 1, opts.signal);
  return { backend: tf.getBackend(), batch, runs, imagesPerSecond: (batch * 1000) / percentile(times, 50) };
}
