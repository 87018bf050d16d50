/**
 * Per-image latency: run the model at a fixed batch size after warm-up and report the median and
 * 95th percentile. Each timed run ends with a data read, because tfjs backends run asynchronously
 * and a timer stopped before the read measures only the dispatch.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatencyStats } from '../types';
import { yieldToEventLoop } from '../yield';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export async function measureLatency(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  opts: { batch?: number; warmup?: number; runs?: number; signal?: AbortSignal } = {},
): Promise<LatencyStats> {
  const batch = opts.batch ?? 1;
  const warmup = opts.warmup ?? 5;
  const runs = opts.runs ?? 30;
  const x = tf.tidy(() => input.slice([0, 0, 0, 0], [Math.min(batch, input.shape[0]), -1, -1, -1]));
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      if (i % 10 === 0) await yieldToEventLoop();
      opts.signal?.throwIfAborted();
      const t0 = performance.now();
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      const dt = performance.now() - t0;
      y.dispose();
      if (i >= warmup) times.push(dt / x.shape[0]);
    }
  } finally {
    x.dispose();
  }
  times.sort((a, b) => a - b);
  return { backend: tf.getBackend(), batch: x.shape[0], runs, medianMs: percentile(times, 50), p95Ms: percentile(times, 95) };
}
