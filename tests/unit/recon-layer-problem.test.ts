/**
 * The reconstruction's view of a layer against tfjs' own layer: with W in rows x cols (toRows) and
 * the input statistics H = Σ x xᵀ and Σ x (InputStats), tr(W H Wᵀ) must equal Σ y² and W·Σx must
 * equal Σ y per output channel, where y is what tf.conv2d / depthwiseConv2d / matMul compute. This
 * checks the im2col order, the padding and strides, and the kernel layouts independently.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { WeightedNode } from '../../src/engine/graph/ir';
import { fromRows, InputStats, layerShape, toRows } from '../../src/engine/recon/layer-problem';

const values = (n: number, k: number) => new Float32Array(n).map((_, i) => Math.sin(i * k + 0.3) * (1 + (i % 5)) * 0.2);

function reference(n: WeightedNode, x: tf.Tensor): tf.Tensor {
  const k = tf.tensor(n.kernel.values, n.kernel.shape);
  if (n.op === 'dense') return tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D);
  if (n.op === 'conv2d') return tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, n.strides, n.padding);
  return tf.depthwiseConv2d(x as tf.Tensor4D, k as tf.Tensor4D, n.strides, n.padding);
}

const cases: Array<[string, WeightedNode, number[]]> = [
  ['conv 3x3 same stride 1', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [3, 3, 3, 4], values: values(108, 1.3) }, strides: [1, 1], padding: 'same', activation: 'linear' }, [2, 7, 6, 3]],
  ['conv 3x3 same stride 2 (odd size: uneven padding)', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [3, 3, 2, 5], values: values(90, 0.7) }, strides: [2, 2], padding: 'same', activation: 'linear' }, [2, 7, 7, 2]],
  ['conv 2x3 valid stride 2x1', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [2, 3, 2, 3], values: values(36, 2.1) }, strides: [2, 1], padding: 'valid', activation: 'linear' }, [3, 6, 5, 2]],
  ['pointwise conv 1x1 same stride 1', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [1, 1, 3, 4], values: values(12, 1.1) }, strides: [1, 1], padding: 'same', activation: 'linear' }, [2, 5, 4, 3]],
  ['conv 1x1 same stride 2', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [1, 1, 3, 2], values: values(6, 0.8) }, strides: [2, 2], padding: 'same', activation: 'linear' }, [2, 5, 4, 3]],
  ['depthwise 3x3 same stride 2, multiplier 2', { name: 'd', op: 'depthwise', inputs: ['x'], kernel: { shape: [3, 3, 3, 2], values: values(54, 0.9) }, strides: [2, 2], padding: 'same', activation: 'linear' }, [2, 6, 5, 3]],
  ['dense', { name: 'f', op: 'dense', inputs: ['x'], kernel: { shape: [6, 4], values: values(24, 1.7) }, activation: 'linear' }, [5, 6]],
];

describe('a layer as a reconstruction problem', () => {
  it.each(cases)('%s: tr(W H Wᵀ) = Σ y² and W·Σx = Σ y per output', async (_name, n, xShape) => {
    const x = tf.tensor(
      values(
        xShape.reduce((a, b) => a * b),
        0.37,
      ),
      xShape,
    );
    const y = reference(n, x);
    const yv = (await y.data()) as Float32Array;
    const outputs = y.shape[y.shape.length - 1]!;
    const stats = new InputStats(layerShape(n));
    await stats.add(n, x);
    const sh = layerShape(n);
    const ws = toRows(n);
    let energy = 0;
    const sums = new Float64Array(outputs);
    ws.forEach((w, g) => {
      const h = stats.h[g];
      for (let r = 0; r < sh.rows; r++) {
        for (let i = 0; i < sh.cols; i++) {
          let s = 0;
          for (let j = 0; j < sh.cols; j++) s += h[i * sh.cols + j] * w[r * sh.cols + j];
          energy += w[r * sh.cols + i] * s;
          sums[g * sh.rows + r] += w[r * sh.cols + i] * stats.sum[g][i];
        }
      }
    });
    const yEnergy = yv.reduce((a, v) => a + v * v, 0);
    const ySums = new Float64Array(outputs);
    yv.forEach((v, i) => (ySums[i % outputs] += v));
    expect(energy).toBeCloseTo(yEnergy, 3);
    sums.forEach((s, o) => expect(s).toBeCloseTo(ySums[o], 4));
    expect(stats.count).toBe(yv.length / outputs);
    tf.dispose([x, y]);
  });

  it.each(cases)('%s, with dense inputs: tr(W C Wᵀ) = Σ y_dense·y and W·Σx_dense = Σ y_dense per output', async (_name, n, xShape) => {
    const size = xShape.reduce((a, b) => a * b);
    const x = tf.tensor(values(size, 0.37), xShape);
    const x0 = tf.tensor(values(size, 0.53), xShape);
    const y = (await reference(n, x).data()) as Float32Array;
    const y0 = (await reference(n, x0).data()) as Float32Array;
    const outputs = n.kernel.shape[n.kernel.shape.length - 1] * (n.op === 'depthwise' ? n.kernel.shape[2] : 1);
    const stats = new InputStats(layerShape(n));
    await stats.add(n, x, x0);
    const sh = layerShape(n);
    let cross = 0;
    const sums = new Float64Array(outputs);
    toRows(n).forEach((w, g) => {
      const c = stats.cross![g];
      for (let r = 0; r < sh.rows; r++) {
        for (let i = 0; i < sh.cols; i++) {
          let s = 0;
          for (let j = 0; j < sh.cols; j++) s += c[i * sh.cols + j] * w[r * sh.cols + j];
          cross += w[r * sh.cols + i] * s;
          sums[g * sh.rows + r] += w[r * sh.cols + i] * stats.sumDense![g][i];
        }
      }
    });
    const expected = y.reduce((a, v, i) => a + v * y0[i], 0);
    const ySums = new Float64Array(outputs);
    y0.forEach((v, i) => (ySums[i % outputs] += v));
    expect(cross).toBeCloseTo(expected, 3);
    sums.forEach((s, o) => expect(s).toBeCloseTo(ySums[o], 4));
    tf.dispose([x, x0]);
  });

  it('toRows and fromRows are inverse, and a mask lands on the kernel index it names', () => {
    for (const [, n] of cases) {
      const copy = { ...n, kernel: { shape: n.kernel.shape, values: n.kernel.values.slice() } } as WeightedNode;
      const ws = toRows(copy);
      const masks = ws.map((w) => new Uint8Array(w.length).map((_, i) => (i === 0 ? 0 : 1)));
      const m = fromRows(copy, ws, masks)!;
      expect(copy.kernel.values).toEqual(n.kernel.values);
      // W[g][0][0] is the kernel's first tap, first input, output g (depthwise: channel g) of group g.
      const zeroAt = [...m.keys()].filter((i) => !m[i]);
      expect(zeroAt.map((i) => copy.kernel.values[i])).toEqual(ws.map((w) => Math.fround(w[0])));
    }
  });
});
