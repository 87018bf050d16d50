/**
 * A whole training run on wasm (with the composed gradient kernels) and on the cpu backend
 * (tfjs' reference kernels): the custom CNN on MNIST, 200 steps, the same initial weights, seed
 * and data order. Losses must agree within 1e-3 relative at every step and the final weights
 * within 1e-3. Dropout is set to 0: its random masks are drawn unseeded by tfjs-layers, and a
 * comparison of kernels must not depend on them. Batch 1 keeps the cpu backend (about 1 img/s for this net) to a few minutes.
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

const STEPS = 200;
const BATCH = 1;
const mnist = getDataset('mnist');
let train: ImageDataset;
let initial: Float32Array[];

function build(): tf.LayersModel {
  return getArchitecture('custom-cnn').build({ inputShape: [28, 28, 1], numClasses: 10, dropout: 0 });
}

async function run(backend: 'wasm' | 'cpu'): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await initBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const model = build();
  model.setWeights(initial.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const { losses } = await fit(model, train, mnist.preprocessing, { epochs: 1, batchSize: BATCH, learningRate: 0.01, seed: 7, maxSteps: STEPS });
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  model.dispose();
  return { losses, weights };
}

beforeAll(async () => {
  train = await loadDataset(mnist, 'train', dirReader(`${PUBLIC}/data/mnist`), { count: STEPS * BATCH });
  await initBackend('wasm');
  expect(registerWasmTrainingKernels().failed).toEqual([]);
  expect(registerBatchNormGradient()).toBe(true);
  const m = build();
  initial = await Promise.all(m.getWeights().map(async (w) => Float32Array.from(await w.data())));
  m.dispose();
});

describe('training on wasm matches the cpu backend', () => {
  it(`custom CNN on MNIST, ${STEPS} steps: losses within 1e-3 relative, final weights within 1e-3`, async () => {
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm.losses).toHaveLength(STEPS);
    let worstLoss = 0;
    wasm.losses.forEach((l, i) => (worstLoss = Math.max(worstLoss, Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]))));
    expect(worstLoss).toBeLessThanOrEqual(1e-3);
    let worstWeight = 0;
    wasm.weights.forEach((w, i) => w.forEach((v, j) => (worstWeight = Math.max(worstWeight, Math.abs(v - cpu.weights[i][j])))));
    expect(worstWeight).toBeLessThanOrEqual(1e-3);
    // The run must have learned something, or agreeing would prove little.
    expect(cpu.losses.slice(-20).reduce((a, b) => a + b, 0) / 20).toBeLessThan(cpu.losses.slice(0, 20).reduce((a, b) => a + b, 0) / 20);
  }, 900_000);

  it('100 training steps on wasm leave tf.memory().numTensors unchanged', async () => {
    await initBackend('wasm');
    const model = build();
    const before = tf.memory().numTensors;
    await fit(model, train, mnist.preprocessing, { epochs: 1, batchSize: BATCH, learningRate: 0.01, maxSteps: 100 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
