/**
 * The leaner FusedBatchNorm gradient against tfjs' own (an independent implementation), through
 * moments as tfjs-layers uses it in training, on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBatchNormGradient } from '../../src/engine/backend/batchnorm-gradient';
import { mulberry32 } from '../../src/engine/train/data-order';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function data(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Gradients of sum(w * BN_train(x)) with respect to x, beta and gamma. */
function grads(): number[][] {
  const shape: [number, number, number, number] = [3, 5, 4, 7];
  const x = tf.tensor4d(data(3 * 5 * 4 * 7, 1), shape);
  const w = tf.tensor4d(data(3 * 5 * 4 * 7, 2), shape);
  const gamma = tf.tensor1d(data(7, 3).map((v) => v + 1.5));
  const beta = tf.tensor1d(data(7, 4));
  const bn = (xx: tf.Tensor, bb: tf.Tensor, gg: tf.Tensor) => {
    const { mean, variance } = tf.moments(xx, [0, 1, 2]);
    return tf.sum(tf.mul(w, tf.batchNorm4d(xx as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-3)));
  };
  const gs = tf.grads((xx: tf.Tensor, bb: tf.Tensor, gg: tf.Tensor) => bn(xx, bb, gg))([x, beta, gamma]);
  const out = gs.map((g) => Array.from(g.dataSync()));
  tf.dispose([x, w, gamma, beta, ...gs]);
  return out;
}

describe('FusedBatchNorm gradient', () => {
  it('equals tfjs-core gradient for x, scale and offset through moments', () => {
    // (tfjs itself cannot differentiate batchNorm without a scale input: it saves the missing tensor.)
    const before = [grads()];
    expect(registerBatchNormGradient()).toBe(true);
    const after = [grads()];
    for (let v = 0; v < before.length; v++) {
      for (let i = 0; i < before[v].length; i++) {
        const ref = before[v][i];
        const got = after[v][i];
        const maxRef = Math.max(...ref.map(Math.abs), 1e-6);
        const maxDiff = Math.max(...ref.map((r, j) => Math.abs(r - got[j])));
        expect(maxDiff / maxRef).toBeLessThan(1e-4);
      }
    }
    // The x gradient must not be trivially zero (BN through moments sums to ~0 only for constant w).
    expect(Math.max(...after[0][0].map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('leaks no tensors', () => {
    registerBatchNormGradient();
    grads();
    const n = tf.memory().numTensors;
    grads();
    expect(tf.memory().numTensors).toBe(n);
  });
});
