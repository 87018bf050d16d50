/**
 * A whole training run on wasm (fit(), with the composed gradient kernels) against the cpu
 * backend's (tfjs' reference kernels): the custom CNN, 2 steps in CI (200 with
 * STUDIO_FULL_TRAIN_RUN=1), the same seeded initial weights, seed and data order. The cpu run is
 * taken step by step (each step's loss and gradients from the cpu kernels, then the momentum SGD
 * update that fit() makes, in float32), once, and both tests below read it: a second cpu run
 * through fit() cost a third of this file's time. Losses must agree within 1e-3 relative at every
 * step and the final trainable weights within 1e-3 (the BatchNorm moving statistics, which the
 * step-by-step run does not keep, are not compared). The 200-step run does not meet that (README,
 * "Correctness of a whole run"): losses agree within 1.5e-4 for 7 steps, then part (1.5e-3 at
 * step 8, a median of 3.4e-2 over 200).
 *
 * The step-by-step test tells kernel error from what chaotic training makes of rounding: both
 * backends take every step from the same (cpu) weights. Over 200 steps (2026-11-27) losses agree
 * within 4.5e-7 at every step; gradients within 6.1e-6 on the 190 steps where no max-pool window
 * or ReLU decides differently on the two backends, and within 2.6e-2 on the 10 where one does.
 *
 * Dropout is set to 0: its random masks are drawn unseeded by tfjs-layers, and a comparison of
 * kernels must not depend on them. Also: no tensor leaks over 100 training steps on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { registerBatchNormGradient } from '../../src/engine/backend/batchnorm-gradient';
import { registerWasmTrainingKernels } from '../../src/engine/backend/wasm-training-kernels';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { getArchitecture } from '../../src/engine/models/registry';
import { epochPermutation } from '../../src/engine/train/data-order';
import { batchTensors, fit } from '../../src/engine/train/fit';
import type { ImageDataset } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

// The issue asks for 200 steps; on the cpu backend (about 0.2 img/s for this net here) that takes
// about 45 minutes, so CI runs a 2-step prefix (the second step is the first with momentum) and
// STUDIO_FULL_TRAIN_RUN=1 runs all 200. The step-by-step test below is the closer check of the
// kernels. (3 steps cost this file 29-47 s in CI, the suite's most variable file, 2026-12-08.)
const STEPS = process.env.STUDIO_FULL_TRAIN_RUN ? 200 : 2;
// The step-by-step comparison costs about 9 s per step here (the cpu backend's share dominates).
// CI runs 2 steps, none with a flip (2026-12-05: the first pool flip is at step 5), so CI holds
// every step to the no-flip bound of 1e-4; STUDIO_FULL_TRAIN_RUN=1 also exercises the flip bound.
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

async function runWasm(): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await initBackend('wasm');
  expect(tf.getBackend()).toBe('wasm');
  const model = build();
  model.setWeights(initial.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const { losses } = await fit(model, train, cifar.preprocessing, { epochs: 1, maxSteps: STEPS, batchSize: BATCH, learningRate: 0.01, seed: 7 });
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  model.dispose();
  return { losses, weights };
}

/** Index of the first largest value in each 2x2/stride-2 window of an NHWC tensor (h, w even). */
function windowArgmax(v: Float32Array, [n, h, w, c]: number[]): { arg: Uint8Array; max: Float32Array } {
  const oh = h >> 1,
    ow = w >> 1;
  const arg = new Uint8Array(n * oh * ow * c);
  const max = new Float32Array(arg.length);
  let o = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let ch = 0; ch < c; ch++, o++) {
          let best = -Infinity;
          for (let k = 0; k < 4; k++) {
            const val = v[((b * h + 2 * y + (k >> 1)) * w + 2 * x + (k & 1)) * c + ch];
            if (val > best) {
              best = val;
              arg[o] = k;
            }
          }
          max[o] = best;
        }
  return { arg, max };
}

interface StepMeasure {
  loss: number;
  grads: Float32Array[];
  /** Each max-pool's input, with its shape. */
  poolInputs: { v: Float32Array; shape: number[] }[];
  /** Each ReLU's input. */
  reluInputs: Float32Array[];
}

/** A model and a second head on the same layers that also outputs each max-pool's and ReLU's input. */
interface Probed {
  model: tf.LayersModel;
  probe: tf.LayersModel;
  pools: number;
}

function buildProbed(): Probed {
  const model = build();
  const pools = model.layers.filter((l) => l.getClassName() === 'MaxPooling2D');
  const relus = model.layers.filter((l) => l.getClassName() === 'Activation');
  const probe = tf.model({ inputs: model.inputs, outputs: [model.outputs[0], ...[...pools, ...relus].map((l) => l.input as tf.SymbolicTensor)] });
  return { model, probe, pools: pools.length };
}

/** The loss, the gradients of the trainable weights and the max-pools' and ReLUs' inputs at `weights`, on the active backend. */
async function measureStep({ model, probe, pools }: Probed, weights: Float32Array[], x: tf.Tensor4D, y: tf.Tensor2D): Promise<StepMeasure> {
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.weights[i].shape as number[])));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // One forward pass gives the logits and the max-pools' and ReLUs' inputs (kept out of the gradient's tidy).
  let inputs: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const [logits, ...rest] = probe.apply(x, { training: true }) as tf.Tensor[];
    inputs = rest.map((t) => tf.keep(t));
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, vars);
  const out: StepMeasure = {
    loss: (await value.data())[0],
    grads: await Promise.all(vars.map(async (v) => Float32Array.from(await grads[v.name].data()))),
    poolInputs: await Promise.all(inputs.slice(0, pools).map(async (t) => ({ v: Float32Array.from(await t.data()), shape: t.shape }))),
    reluInputs: await Promise.all(inputs.slice(pools).map(async (t) => Float32Array.from(await t.data()))),
  };
  tf.dispose([value, ...Object.values(grads), ...inputs]);
  return out;
}

/** One step of the cpu run: the weights it starts from and what the cpu kernels measure there. */
interface CpuStep {
  weights: Float32Array[];
  m: StepMeasure;
}

/** The cpu run: its steps, its weights after the last, and which weights are trainable. */
interface CpuRun {
  steps: CpuStep[];
  final: Float32Array[];
  trainable: boolean[];
}

let trajectory: Promise<CpuRun> | undefined;

/** The cpu run, STEPS steps from the seeded weights, made once for both tests. */
function cpuRun(): Promise<CpuRun> {
  trajectory ??= (async () => {
    await initBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const probed = buildProbed();
    const trainable = probed.model.weights.map((w) => w.trainable);
    const weights = initial.map((w) => Float32Array.from(w));
    const velocity = weights.map((w) => new Float32Array(w.length));
    const order = epochPermutation(train.count, 7, 0);
    const steps: CpuStep[] = [];
    for (let step = 0; step < STEPS; step++) {
      const { x, y } = batchTensors(train, order.subarray(step * BATCH, (step + 1) * BATCH), cifar.preprocessing);
      const m = await measureStep(probed, weights, x, y);
      tf.dispose([x, y]);
      steps.push({ weights: weights.map((w) => Float32Array.from(w)), m });
      // SGD with momentum 0.9, as fit() does.
      let g = 0;
      weights.forEach((w, i) => {
        if (!trainable[i]) return;
        const grad = m.grads[g++];
        for (let j = 0; j < w.length; j++) {
          velocity[i][j] = Math.fround(0.9 * velocity[i][j] + grad[j]);
          w[j] = Math.fround(w[j] - 0.01 * velocity[i][j]);
        }
      });
    }
    probed.model.dispose();
    return { steps, final: weights, trainable };
  })();
  return trajectory;
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

describe('training on wasm matches the cpu backend', () => {
  it(
    `custom CNN on CIFAR-10 inputs, ${STEPS} steps: losses within 1e-3 relative, final weights within 1e-3`,
    async () => {
      const wasm = await runWasm();
      const cpu = await cpuRun();
      const cpuLosses = cpu.steps.map((st) => st.m.loss);
      expect(wasm.losses).toHaveLength(STEPS);
      let worstLoss = 0;
      const rel = wasm.losses.map((l, i) => Math.abs(l - cpuLosses[i]) / Math.abs(cpuLosses[i]));
      console.log(`per-step relative loss difference: ${rel.map((r) => r.toExponential(1)).join(' ')}`);
      rel.forEach((r) => (worstLoss = Math.max(worstLoss, r)));
      expect(worstLoss).toBeLessThanOrEqual(1e-3);
      // Relative to max(1, |w|), as the weights' scale varies by layer.
      let worstWeight = 0;
      wasm.weights.forEach((w, i) => {
        if (!cpu.trainable[i]) return;
        let t = 0;
        w.forEach((v, j) => (t = Math.max(t, Math.abs(v - cpu.final[i][j]) / Math.max(1, Math.abs(cpu.final[i][j])))));
        if (t > 1e-4) console.log(`weight ${names[i]}: max relative difference ${t.toExponential(2)}`);
        worstWeight = Math.max(worstWeight, t);
      });
      expect(worstWeight).toBeLessThanOrEqual(1e-3);
      // The weights must have moved, or agreeing would prove little.
      let moved = 0;
      cpu.final.forEach((w, i) => w.forEach((v, j) => (moved = Math.max(moved, Math.abs(v - initial[i][j])))));
      expect(moved).toBeGreaterThan(1e-3);
    },
    STEPS > 10 ? 7_200_000 : 900_000,
  );

  it(
    `step by step along one trajectory, ${STEPS} steps: from the same weights, wasm's loss and gradients match the cpu backend's`,
    async () => {
      // Both backends take each step from the cpu run's weights, so what is compared is one
      // step's kernels, not what chaotic training makes of rounding over many steps. Two
      // discontinuities turn a rounding-sized difference of the forward pass into a whole
      // gradient entry: a 2x2 max-pool window whose two largest inputs differ by about a rounding
      // error may pick different winners on the two backends (a "pool flip") and route the
      // gradient to another position, and a ReLU input within a rounding error of 0 may have
      // different signs (a "ReLU flip") and pass or stop its gradient. Neither is a kernel error,
      // so the gradients are held to 1e-4 on steps without a flip, and to 1e-1 on the others
      // (a wrong kernel is wrong everywhere, by order 1).
      const cpu = await cpuRun();
      await initBackend('wasm');
      const probed = buildProbed();
      const order = epochPermutation(train.count, 7, 0);
      let worstLoss = 0;
      let worstGradNoFlip = 0;
      let worstGradFlip = 0;
      let flipSteps = 0;
      const lines: string[] = [];
      for (let step = 0; step < STEPS; step++) {
        const { x, y } = batchTensors(train, order.subarray(step * BATCH, (step + 1) * BATCH), cifar.preprocessing);
        const m = { cpu: cpu.steps[step].m, wasm: await measureStep(probed, cpu.steps[step].weights, x, y) };
        tf.dispose([x, y]);
        const lossRel = Math.abs(m.wasm.loss - m.cpu.loss) / Math.abs(m.cpu.loss);
        worstLoss = Math.max(worstLoss, lossRel);
        // Relative L2 difference of each gradient tensor.
        const gradRel = m.cpu.grads.map((g, t) => {
          let d = 0,
            n = 0;
          g.forEach((v, j) => ((d += (v - m.wasm.grads[t][j]) ** 2), (n += v * v)));
          return Math.sqrt(d / Math.max(n, 1e-30));
        });
        const worstGrad = Math.max(...gradRel);
        // Pool flips in windows whose maximum is positive (a window of ReLU zeros routes to a zero gradient either way).
        let poolFlips = 0;
        m.cpu.poolInputs.forEach((p, k) => {
          const a = windowArgmax(p.v, p.shape),
            b = windowArgmax(m.wasm.poolInputs[k].v, p.shape);
          a.arg.forEach((v, j) => (poolFlips += v !== b.arg[j] && a.max[j] > 0 ? 1 : 0));
        });
        let reluFlips = 0;
        m.cpu.reluInputs.forEach((r, k) => r.forEach((v, j) => (reluFlips += v > 0 !== m.wasm.reluInputs[k][j] > 0 ? 1 : 0)));
        if (poolFlips + reluFlips > 0) {
          flipSteps++;
          worstGradFlip = Math.max(worstGradFlip, worstGrad);
        } else worstGradNoFlip = Math.max(worstGradNoFlip, worstGrad);
        lines.push(`${step}: loss ${lossRel.toExponential(1)} grad ${worstGrad.toExponential(1)} pool flips ${poolFlips} relu flips ${reluFlips}`);
      }
      console.log(`per step, relative differences wasm vs cpu (loss, worst gradient tensor in L2) and flips:\n${lines.join('\n')}`);
      console.log(`worst loss ${worstLoss.toExponential(2)}; worst gradient on the ${STEPS - flipSteps} steps without a flip ${worstGradNoFlip.toExponential(2)}, on the ${flipSteps} steps with one ${worstGradFlip.toExponential(2)}`);
      expect(worstLoss).toBeLessThanOrEqual(1e-3);
      // At least one step must be held to the tight bound, or a short run could pass on flips alone.
      expect(flipSteps).toBeLessThan(STEPS);
      expect(worstGradNoFlip).toBeLessThanOrEqual(1e-4);
      expect(worstGradFlip).toBeLessThanOrEqual(1e-1);
      probed.model.dispose();
    },
    STEPS > 10 ? 7_200_000 : 900_000,
  );

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
