/**
 * A whole training run on wasm (with the composed gradient kernels) and on the cpu backend
 * (tfjs' reference kernels): the custom CNN, 8 steps in CI (200 with STUDIO_FULL_TRAIN_RUN=1),
 * the same seeded initial weights, seed and data order. Dropout is set to 0: its random masks are
 * drawn unseeded by tfjs-layers, and a comparison of kernels must not depend on them.
 *
 * In CI, losses must agree within 1e-3 relative at every step and the final weights within 1e-3.
 * Over 200 steps that cannot hold for any two float32 implementations: this small-batch training
 * is chaotic, and rounding alone parts two runs. Measured (2026-11-26): wasm against wasm with
 * every initial weight scaled by 1 + 1e-7 (a rounding-sized change) passes 1e-3 relative loss
 * difference at step 7 and reaches 1e-1 by step 50, for lr 0.01 and batch 2 (and at step 28-61
 * for lr 0.001-0.01, batch 2-8); the 200-step wasm-vs-cpu run parted at the same step 7. So the
 * full run measures that rounding baseline too and asserts what separates a kernel error from
 * rounding: wasm and cpu agree within 1e-3 for as long as the baseline does, and over all 200
 * steps they part no more than the baseline (median relative loss difference and the final
 * weights within 5x of the baseline's).
 * Also: no tensor leaks over 100 training steps on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { registerBatchNormGradient } from '../../src/engine/backend/batchnorm-gradient';
import { registerWasmTrainingKernels } from '../../src/engine/backend/wasm-training-kernels';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { getArchitecture } from '../../src/engine/models/registry';
import { fit } from '../../src/engine/train/fit';
import type { ImageDataset } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

// The issue asks for 200 steps; on the cpu backend (about 0.3-1 img/s for this net here) that takes
// 10+ minutes, so CI runs a short prefix and STUDIO_FULL_TRAIN_RUN=1 runs all 200 (see the note).
const STEPS = process.env.STUDIO_FULL_TRAIN_RUN ? 200 : 8;
const BATCH = 2;
// CIFAR-10 inputs, not MNIST: MNIST's exactly-zero background makes many max-pool windows hold
// equal values, and the cpu and wasm MaxPoolGrad kernels route the gradient of such ties to
// different positions, so MNIST runs part after a few steps for a reason that is not a kernel error.
const cifar = getDataset('cifar10');
let train: ImageDataset;
let initial: Float32Array[];
let names: string[];

function build(): tf.LayersModel {
  return getArchitecture('custom-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, dropout: 0 });
}

async function run(backend: 'wasm' | 'cpu', perturb = 0): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await initBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const model = build();
  // perturb: scale every initial weight by 1 + perturb * (a fixed pattern in [-1, 1]).
  const start = perturb ? initial.map((w, i) => w.map((v, j) => v * (1 + perturb * Math.sin(j * 12.9898 + i)))) : initial;
  model.setWeights(start.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const { losses } = await fit(model, train, cifar.preprocessing, { epochs: 1, maxSteps: STEPS, batchSize: BATCH, learningRate: 0.01, seed: 7 });
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  model.dispose();
  return { losses, weights };
}

beforeAll(async () => {
  train = await loadDataset(cifar, 'train', dirReader(`${PUBLIC}/data/cifar10`), { count: Math.max(STEPS, 102) * BATCH });
  await initBackend('wasm');
  expect(registerWasmTrainingKernels().failed).toEqual([]);
  expect(registerBatchNormGradient()).toBe(true);
  const m = build();
  // Seeded He-normal kernels, so every run starts from the same weights (tfjs' initialisers are unseeded).
  initial = await Promise.all(
    m.getWeights().map(async (w, i) => {
      if (!m.weights[i].originalName.endsWith('kernel')) return Float32Array.from(await w.data());
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const t = tf.randomNormal(w.shape, 0, Math.sqrt(2 / fanIn), 'float32', 1000 + i);
      const v = Float32Array.from(await t.data());
      t.dispose();
      return v;
    }),
  );
  names = m.weights.map((w) => w.originalName);
  m.dispose();
});

const relLoss = (a: number[], b: number[]) => a.map((l, i) => Math.abs(l - b[i]) / Math.abs(b[i]));

/** Max difference of two weight sets, relative to max(1, |w|): BatchNorm moving variances reach tens, where 1e-3 absolute is below float32 noise. */
function weightDiff(a: Float32Array[], b: Float32Array[], log: string): number {
  let worst = 0;
  a.forEach((w, i) => {
    let t = 0;
    w.forEach((v, j) => (t = Math.max(t, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(b[i][j])))));
    if (t > 1e-4) console.log(`${log} weight ${names[i]}: max relative difference ${t.toExponential(2)}`);
    worst = Math.max(worst, t);
  });
  return worst;
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];

describe('training on wasm matches the cpu backend', () => {
  const title = STEPS > 8 ? 'losses within 1e-3 while rounding alone keeps them there, then parting no more than rounding does' : 'losses within 1e-3 relative, final weights within 1e-3';
  it(`custom CNN on CIFAR-10 inputs, ${STEPS} steps: ${title}`, async () => {
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm.losses).toHaveLength(STEPS);
    const rel = relLoss(wasm.losses, cpu.losses);
    console.log(`per-step relative loss difference, wasm vs cpu: ${rel.map((r) => r.toExponential(1)).join(' ')}`);
    const worstWeight = weightDiff(wasm.weights, cpu.weights, 'wasm vs cpu');
    if (STEPS <= 8) {
      expect(Math.max(...rel)).toBeLessThanOrEqual(1e-3);
      expect(worstWeight).toBeLessThanOrEqual(1e-3);
    } else {
      const base = await run('wasm', 1e-7);
      const relBase = relLoss(base.losses, wasm.losses);
      console.log(`per-step relative loss difference, wasm vs wasm from weights x (1 + 1e-7): ${relBase.map((r) => r.toExponential(1)).join(' ')}`);
      const horizon = relBase.findIndex((r) => r > 1e-3);
      const within = horizon < 0 ? STEPS : horizon;
      console.log(`rounding keeps the losses within 1e-3 for ${within} steps; wasm vs cpu over them: max ${Math.max(...rel.slice(0, within)).toExponential(1)}; medians over ${STEPS} steps: wasm vs cpu ${median(rel).toExponential(1)}, rounding ${median(relBase).toExponential(1)}`);
      expect(within).toBeGreaterThan(3);
      expect(Math.max(...rel.slice(0, within))).toBeLessThanOrEqual(1e-3);
      expect(median(rel)).toBeLessThanOrEqual(5 * median(relBase));
      const baseWeight = weightDiff(base.weights, wasm.weights, 'rounding');
      console.log(`final weights: wasm vs cpu ${worstWeight.toExponential(2)}, rounding ${baseWeight.toExponential(2)}`);
      expect(worstWeight).toBeLessThanOrEqual(5 * baseWeight);
    }
    // The weights must have moved, or agreeing would prove little.
    let moved = 0;
    cpu.weights.forEach((w, i) => w.forEach((v, j) => (moved = Math.max(moved, Math.abs(v - initial[i][j])))));
    expect(moved).toBeGreaterThan(1e-3);
  }, STEPS > 8 ? 7_200_000 : 900_000);

  it('100 training steps on wasm leave tf.memory().numTensors unchanged', async () => {
    await initBackend('wasm');
    const model = build();
    // A first short run creates what tfjs caches once (kernel scalars); after it, nothing may grow.
    await fit(model, train, cifar.preprocessing, { epochs: 1, batchSize: BATCH, learningRate: 0.01, maxSteps: 2 });
    const before = tf.memory().numTensors;
    await fit(model, train, cifar.preprocessing, { epochs: 1, batchSize: BATCH, learningRate: 0.01, maxSteps: 100 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
