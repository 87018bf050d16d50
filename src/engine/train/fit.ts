/**
 * Training and fine-tuning on the active tfjs backend, with a seeded data order, progress in
 * images/s and time left, cancellation between steps, and a hook after every optimizer step
 * (pruning masks use it to hold pruned weights at zero).
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../errors';
import { OPTIMIZERS, type Optimizer } from '../choices/train';
import type { ImageDataset, Preprocessing } from '../types';
import { yieldToEventLoop } from '../yield';
import { preprocessInto } from '../preprocess';
import { epochPermutation } from './data-order';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** SGD with momentum 0.9 by default; learning rate per step. */
  learningRate: number;
  /** choices/train.ts OPTIMIZERS (default: its default, SGD with momentum). */
  optimizer?: Optimizer;
  seed?: number;
  /** Stop after this many steps in total (for tests and quick previews). */
  maxSteps?: number;
  signal?: AbortSignal;
  onStep?: (p: FitProgress) => void;
  /** Called after each optimizer step, inside no tidy; must not leak tensors. */
  afterStep?: (step: number) => void;
}

export interface FitProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  imagesPerSecond: number;
  secondsLeft: number;
  backend: string;
}

export interface FitResult {
  losses: number[];
  steps: number;
  imagesPerSecond: number;
  backend: string;
  elapsedMs: number;
}

/** One builder per optimizer of the table; the Record type makes a new table entry a compile error here until it is built. */
const OPTIMIZER_BUILDERS: Record<Optimizer, (learningRate: number) => tf.Optimizer> = {
  'sgd-momentum': (lr) => tf.train.momentum(lr, 0.9),
  adam: (lr) => tf.train.adam(lr),
};

function makeOptimizer(o: FitOptions): tf.Optimizer {
  // An unknown name is refused, never trained with another optimizer.
  return OPTIMIZER_BUILDERS[OPTIMIZERS.check(o.optimizer ?? OPTIMIZERS.defaultId, 'optimizer').id](o.learningRate);
}

/** Gathers a batch of preprocessed images and one-hot labels by index (exported for the training tests, which must batch as fit does). */
export function batchTensors(ds: ImageDataset, idx: Uint32Array, prep: Preprocessing): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const buf = new Float32Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    preprocessInto(ds.pixels.subarray(idx[i] * per, (idx[i] + 1) * per), c, prep, buf, i * per);
    labels[i] = ds.labels[idx[i]];
  }
  return tf.tidy(() => ({ x: tf.tensor4d(buf, [idx.length, h, w, c]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), ds.numClasses).toFloat() as tf.Tensor2D }));
}

/**
 * tfjs-layers draws dropout masks from an unseeded generator unless the layer has a seed, and a
 * fixed seed would repeat one mask every step; a seed per (run, step) keeps runs reproducible
 * with fresh masks each step.
 */
function seedDropout(model: tf.LayersModel, seed: number, step: number): void {
  for (const l of model.layers) if (l.getClassName() === 'Dropout') (l as unknown as { seed?: number }).seed = (Math.imul(seed, 100003) + step) >>> 0;
}

export async function fit(model: tf.LayersModel, ds: ImageDataset, prep: Preprocessing, o: FitOptions): Promise<FitResult> {
  if (o.batchSize < 1 || o.epochs < 1) throw new StudioError('bad-model', `Training needs at least one epoch and a batch size of at least 1 (got ${o.epochs} epochs, batch ${o.batchSize}).`);
  const optimizer = makeOptimizer(o);
  const seed = o.seed ?? 1;
  const stepsPerEpoch = Math.floor(ds.count / o.batchSize);
  const totalSteps = Math.min(o.maxSteps ?? Infinity, stepsPerEpoch * o.epochs);
  const losses: number[] = [];
  const t0 = performance.now();
  let step = 0;
  try {
    for (let epoch = 0; epoch < o.epochs && step < totalSteps; epoch++) {
      const order = epochPermutation(ds.count, seed, epoch);
      for (let b = 0; b < stepsPerEpoch && step < totalSteps; b++) {
        await yieldToEventLoop();
        o.signal?.throwIfAborted();
        const { x, y } = batchTensors(ds, order.subarray(b * o.batchSize, (b + 1) * o.batchSize), prep);
        seedDropout(model, seed, step);
        const loss = optimizer.minimize(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, true) as tf.Scalar;
        const value = (await loss.data())[0];
        tf.dispose([x, y, loss]);
        o.afterStep?.(step);
        losses.push(value);
        step++;
        const elapsed = (performance.now() - t0) / 1000;
        const ips = (step * o.batchSize) / elapsed;
        o.onStep?.({ step, totalSteps, epoch, loss: value, imagesPerSecond: ips, secondsLeft: ((totalSteps - step) * o.batchSize) / ips, backend: tf.getBackend() });
      }
    }
  } finally {
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() does not call SGDOptimizer's, so its learning-rate
    // scalar `c` would leak one tensor per training run.
    const c = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (c && !c.isDisposed) c.dispose();
  }
  const elapsedMs = performance.now() - t0;
  return { losses, steps: step, imagesPerSecond: (step * o.batchSize) / (elapsedMs / 1000), backend: tf.getBackend(), elapsedMs };
}
