/**
 * GPTQ rounding and bias correction (recon/quantize-weights.ts): the kernels it returns lie exactly
 * on the int8 grid that quantize-graph.ts computes from them (so the simulated model, the .tflite
 * and the C array carry the same int8 values), pruned zeros stay zero, and on the first layer,
 * whose inputs are the images themselves, GPTQ's output error is below nearest rounding's, measured
 * with tf.conv2d (an independent path).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Conv2DNode, Graph } from '../../src/engine/graph/ir';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { reconstructInt8Weights } from '../../src/engine/recon/quantize-weights';
import type { ImageDataset } from '../../src/engine/types';

const values = (n: number, k: number) => new Float32Array(n).map((_, i) => (i % 11 === 3 ? 0 : Math.sin(i * k + 0.3) * (1 + (i % 7)) * 0.1));

const graph: Graph = {
  name: 'gptq',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [8, 8, 3] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 3, 6], values: values(162, 1.7) }, bias: { shape: [6], values: values(6, 0.5) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 6, 4], values: values(216, 0.9) }, strides: [2, 2], padding: 'same', activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['c2'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [4, 3], values: values(12, 2.3) }, activation: 'linear' },
  ],
};

// Correlated channels (a shared base per pixel), as real images have: where GPTQ's compensation pays.
let seed = 5;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pixels = new Uint8Array(64 * 192);
for (let p = 0; p < 64 * 64; p++) {
  const base = rnd() * 200;
  for (let c = 0; c < 3; c++) pixels[p * 3 + c] = Math.round(base + rnd() * 55);
}
const images: ImageDataset = { id: 'cifar10', split: 'train', count: 64, shape: [8, 8, 3], numClasses: 3, pixels, labels: new Uint8Array(64).map((_, i) => i % 3), classNames: ['a', 'b', 'c'] };
const cal = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 64 };

const conv = (g: Graph, name: string) => g.nodes.find((n) => n.name === name) as Conv2DNode;

async function firstLayerError(g: Graph): Promise<number> {
  const x = tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 255),
    [64, 8, 8, 3],
  );
  const ref = conv(graph, 'c1');
  const got = conv(g, 'c1');
  const e = tf.tidy(() => {
    const y0 = tf.conv2d(x, tf.tensor4d(ref.kernel.values, ref.kernel.shape as [number, number, number, number]), 1, 'same');
    const y1 = tf.conv2d(x, tf.tensor4d(got.kernel.values, got.kernel.shape as [number, number, number, number]), 1, 'same');
    return tf.sum(tf.square(tf.sub(y1, y0)));
  });
  const v = (await e.data())[0];
  tf.dispose([x, e]);
  return v;
}

describe('int8 weights with reconstruction', () => {
  it.each(['per-channel', 'per-tensor'] as const)('GPTQ %s: kernels on the quantizer’s own grid, zeros kept, first-layer error below nearest rounding', async (granularity) => {
    const gptq = await reconstructInt8Weights(graph, cal, { rounding: 'gptq', biasCorrection: 'none', granularity });
    const nearest = await reconstructInt8Weights(graph, cal, { rounding: 'nearest', biasCorrection: 'none', granularity });
    const q = quantizeGraph(gptq, 'weight-int8', granularity);
    for (const name of ['c1', 'c2', 'd']) {
      const k = gptq.nodes.find((n) => n.name === name) as Conv2DNode;
      const w = q.weights[name];
      const c = w.kernelScales.length;
      k.kernel.values.forEach((v, i) => expect(Math.abs(v - w.kernel[i] * w.kernelScales[i % c])).toBeLessThan(1e-6 * (Math.abs(w.kernel[i]) + 1) * w.kernelScales[i % c]));
      // Every scale is the one the original weights give: the largest weight of each channel kept its ±127.
      const q0 = quantizeGraph(graph, 'weight-int8', granularity).weights[name];
      w.kernelScales.forEach((s, i) => expect(s).toBeCloseTo(q0.kernelScales[i], 7));
      const orig = (graph.nodes.find((n) => n.name === name) as Conv2DNode).kernel.values;
      orig.forEach((v, i) => v === 0 && expect(k.kernel.values[i]).toBe(0));
    }
    // Nearest rounding here is exactly what the quantizer does.
    const qn = quantizeGraph(graph, 'weight-int8', granularity).weights.c1;
    conv(nearest, 'c1').kernel.values.forEach((v, i) => expect(v).toBeCloseTo(qn.kernel[i] * qn.kernelScales[i % qn.kernelScales.length], 6));
    expect(await firstLayerError(gptq)).toBeLessThan(await firstLayerError(nearest));
  });

  it('bias correction restores each output’s mean over the calibration inputs (first layer)', async () => {
    const g = await reconstructInt8Weights(graph, cal, { rounding: 'nearest', biasCorrection: 'mean', granularity: 'per-channel' });
    const x = tf.tensor4d(
      Float32Array.from(pixels, (v) => v / 255),
      [64, 8, 8, 3],
    );
    const mean = (n: Conv2DNode) => tf.tidy(() => tf.mean(tf.add(tf.conv2d(x, tf.tensor4d(n.kernel.values, n.kernel.shape as [number, number, number, number]), 1, 'same'), tf.tensor1d(n.bias!.values)), [0, 1, 2]).arraySync() as number[]);
    const m0 = mean(conv(graph, 'c1'));
    const m1 = mean(conv(g, 'c1'));
    m1.forEach((v, i) => expect(v).toBeCloseTo(m0[i], 5));
    // c2 had no bias: it gets one.
    expect(conv(g, 'c2').bias?.values.length).toBe(4);
    x.dispose();
  });
});
