/**
 * The zoo: parameter and MAC counts against hand-computed values, and every family builds for
 * both input shapes and any class count.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { ARCHITECTURES, getArchitecture } from '../../src/engine/models/registry';
import { summarize } from '../../src/engine/models/summary';

beforeAll(async () => {
  // wasm: the forward pass of ResNet101 takes ~40 s on the cpu backend, ~2 s here.
  await initBackend('wasm');
});

describe('custom CNN, 28x28x1 input, 10 classes', () => {
  it('has the hand-computed parameter and MAC counts', () => {
    const m = getArchitecture('custom-cnn').build({ inputShape: [28, 28, 1], numClasses: 10 });
    const s = summarize(m);
    // conv kernels 3x3: 1->32, 32->32, 32->64, 64->64, 64->128 (no bias); BN 4 params per channel; dense 128->10 + bias.
    const conv = 9 * 1 * 32 + 9 * 32 * 32 + 9 * 32 * 64 + 9 * 64 * 64 + 9 * 64 * 128;
    const bn = 4 * (32 + 32 + 64 + 64 + 128);
    expect(s.params).toBe(conv + bn + 128 * 10 + 10);
    expect(s.params).toBe(141098);
    // Spatial sizes: 28, 28, pool 14, 14, pool 7, pool 3 (the last pool follows conv 5).
    const macs = 28 * 28 * 9 * 1 * 32 + 28 * 28 * 9 * 32 * 32 + 14 * 14 * 9 * 32 * 64 + 14 * 14 * 9 * 64 * 64 + 7 * 7 * 9 * 64 * 128 + 128 * 10;
    expect(s.macs).toBe(macs);
    expect(s.macs).toBe(21903104);
    m.dispose();
  });
});

describe('MobileNetV1 alpha 0.25, 32x32x3 input, 10 classes', () => {
  it('has the hand-computed parameter and MAC counts', () => {
    const m = getArchitecture('mobilenet-v1-0.25').build({ inputShape: [32, 32, 3], numClasses: 10 });
    const s = summarize(m);
    // [channels in, channels out, output side] of the 13 blocks at alpha 0.25 (max(8, round(f * 0.25))).
    const blocks: Array<[number, number, number]> = [
      [8, 16, 32],
      [16, 32, 16],
      [32, 32, 16],
      [32, 64, 8],
      [64, 64, 8],
      [64, 128, 4],
      [128, 128, 4],
      [128, 128, 4],
      [128, 128, 4],
      [128, 128, 4],
      [128, 128, 4],
      [128, 256, 2],
      [256, 256, 2],
    ];
    let params = 9 * 3 * 8 + 4 * 8; // stem conv (stride 1, no bias) + BN
    let macs = 32 * 32 * 9 * 3 * 8;
    for (const [cin, cout, side] of blocks) {
      params += 9 * cin + 4 * cin + cin * cout + 4 * cout; // depthwise + BN + pointwise + BN
      macs += side * side * (9 * cin + cin * cout);
    }
    params += 256 * 10 + 10;
    macs += 256 * 10;
    expect(s.params).toBe(params);
    expect(s.macs).toBe(macs);
    m.dispose();
  });
});

describe('every architecture', () => {
  for (const arch of ARCHITECTURES) {
    it(`${arch.id} builds for 28x28x1 and 32x32x3 inputs with any class count`, () => {
      for (const [shape, classes] of [
        [[28, 28, 1], 10],
        [[32, 32, 3], 100],
      ] as const) {
        const before = tf.memory().numTensors;
        const m = arch.build({ inputShape: [...shape], numClasses: classes });
        expect(m.outputs[0].shape).toEqual([null, classes]);
        expect(m.inputs[0].shape).toEqual([null, ...shape]);
        const y = tf.tidy(() => m.predict(tf.zeros([1, ...shape])) as tf.Tensor);
        expect(y.shape).toEqual([1, classes]);
        y.dispose();
        m.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }
});
