/**
 * Evaluates a classifier on a dataset: batched predictions, then metrics. Progress is reported per
 * batch; an AbortSignal stops it between batches with every tensor freed.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationMetrics } from './metrics/classification';
import { toInputTensor } from './preprocess';
import { yieldToEventLoop } from './yield';
import type { ClassificationMetrics, ImageDataset, Preprocessing } from './types';

/** Anything that maps a batch to logits: a tfjs LayersModel or a compiled engine graph. */
export interface Predictor {
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[];
}

export interface EvaluateOptions {
  batch?: number;
  signal?: AbortSignal;
  /** Awaited before each batch: work done ahead of need (the worker's warm-up) waits here while the user's requests run. */
  between?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

export interface Evaluation {
  metrics: ClassificationMetrics;
  predictions: Uint8Array;
}

export async function predictLogits(model: Predictor, ds: ImageDataset, prep: Preprocessing, first: number, count: number): Promise<Float32Array> {
  const x = toInputTensor(ds, first, count, prep);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

export async function evaluate(model: Predictor, ds: ImageDataset, prep: Preprocessing, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const batch = opts.batch ?? 256;
  const predictions = new Uint8Array(ds.count);
  for (let first = 0; first < ds.count; first += batch) {
    await yieldToEventLoop();
    await opts.between?.();
    opts.signal?.throwIfAborted();
    const n = Math.min(batch, ds.count - first);
    const arg = tf.tidy(() => (model.predict(toInputTensor(ds, first, n, prep)) as tf.Tensor).argMax(-1));
    const p = await arg.data();
    arg.dispose();
    predictions.set(p, first);
    opts.onProgress?.(first + n, ds.count);
  }
  // A cancel during the last batch counts too: the caller may have nothing left that checks.
  opts.signal?.throwIfAborted();
  return { metrics: classificationMetrics(ds.labels, predictions, ds.numClasses), predictions };
}
