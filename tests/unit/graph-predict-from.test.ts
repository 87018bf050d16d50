/**
 * Running a graph from a cut (graph/execute.ts predictFrom + frontier), as the sensitivity
 * analysis does for each layer's trials: the logits equal a full run's, across a residual
 * connection too, and no tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph, frontier } from '../../src/engine/graph/execute';
import type { Graph } from '../../src/engine/graph/ir';

const values = (n: number, k: number) => new Float32Array(n).map((_, i) => Math.sin(i * k + 0.3) * 0.3);
/** in -> c1 -> c2 -> add(c1, c2) -> gap -> d: c2 and the add both read c1. */
const graph: Graph = {
  name: 'residual',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [5, 5, 2] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 4], values: values(72, 1.3) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 4, 4], values: values(144, 0.7) }, strides: [1, 1], padding: 'same', activation: 'linear' },
    { name: 'add', op: 'add', inputs: ['c1', 'c2'], activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['add'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [4, 3], values: values(12, 2.1) }, activation: 'linear' },
  ],
};

describe('predictFrom', () => {
  it('names the tensors that cross the cut: one on a chain, the skip connection too', () => {
    expect(frontier(graph, 'c2')).toEqual(['c1']);
    expect(frontier(graph, 'add')).toEqual(['c1', 'c2']);
    expect(frontier(graph, 'd')).toEqual(['gap']);
    expect(frontier(graph, 'c1')).toEqual(['in']);
  });

  it('gives the full run’s logits from every cut, and leaks nothing', async () => {
    const c = compileGraph(graph);
    const x = tf.randomUniform([3, 5, 5, 2], 0, 1, 'float32', 7);
    const full = c.predict(x);
    const expected = await full.data();
    const before = tf.memory().numTensors;
    for (const node of ['c1', 'c2', 'add', 'gap', 'd']) {
      const given = c.capture(x, frontier(graph, node));
      const y = c.predictFrom(given);
      expect(Array.from(await y.data())).toEqual(Array.from(expected));
      y.dispose();
      tf.dispose(Object.values(given));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, full]);
    c.dispose();
  });
});

describe('compileGraph with foldBatchNorm', () => {
  const bn = (name: string, input: string, k: number) => ({
    name,
    op: 'batchnorm' as const,
    inputs: [input],
    gamma: { shape: [4], values: values(4, k).map((v) => 1 + v) },
    beta: { shape: [4], values: values(4, k + 0.5) },
    mean: { shape: [4], values: values(4, k + 1) },
    variance: { shape: [4], values: values(4, k + 1.5).map((v) => 0.5 + v * v) },
    epsilon: 1e-3,
    momentum: 0.99,
  });
  /** c1 -> b1 (foldable); c2 -> b2 -> b3 (b2 foldable, b3 not: its input is no layer); c3 read by b4 and the add (not foldable). */
  const g: Graph = {
    name: 'bn',
    output: 'd',
    nodes: [
      { name: 'in', op: 'input', inputs: [], shape: [5, 5, 2] },
      { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 4], values: values(72, 1.3) }, strides: [1, 1], padding: 'same', activation: 'linear' },
      bn('b1', 'c1', 0.4),
      { name: 'r1', op: 'activation', inputs: ['b1'], activation: 'relu6' },
      { name: 'c2', op: 'depthwise', inputs: ['r1'], kernel: { shape: [3, 3, 4, 1], values: values(36, 0.9) }, bias: { shape: [4], values: values(4, 0.2) }, strides: [1, 1], padding: 'same', activation: 'linear' },
      bn('b2', 'c2', 1.1),
      bn('b3', 'b2', 1.7),
      { name: 'c3', op: 'conv2d', inputs: ['b3'], kernel: { shape: [1, 1, 4, 4], values: values(16, 0.7) }, strides: [1, 1], padding: 'same', activation: 'linear' },
      bn('b4', 'c3', 2.3),
      { name: 'add', op: 'add', inputs: ['c3', 'b4'], activation: 'relu' },
      { name: 'gap', op: 'gap', inputs: ['add'] },
      { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [4, 3], values: values(12, 2.1) }, activation: 'linear' },
    ],
  };

  it('gives the unfolded logits (to float rounding) from the input and from every cut, folding only what inference folds', async () => {
    const x = tf.randomUniform([3, 5, 5, 2], 0, 1, 'float32', 7);
    const plain = compileGraph(g);
    const folded = compileGraph(g, { foldBatchNorm: true });
    const expected = Array.from(await plain.predict(x).data());
    const before = tf.memory().numTensors;
    const close = (got: Float32Array) => got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const y = folded.predict(x);
    close((await y.data()) as Float32Array);
    y.dispose();
    for (const node of ['c2', 'c3', 'add', 'd']) {
      const given = folded.capture(x, frontier(g, node));
      const z = folded.predictFrom(given);
      close((await z.data()) as Float32Array);
      tf.dispose([z, ...Object.values(given)]);
    }
    // b1 and b2 fold; b3 (after another BatchNorm) and b4 (its layer is read twice) still normalize.
    const b2 = folded.capture(x, ['c2', 'b2', 'b3']);
    const ref = plain.capture(x, ['b2', 'b3']);
    const [got2, got2b, got3, want2, want3] = await Promise.all([b2.c2.data(), b2.b2.data(), b2.b3.data(), ref.b2.data(), ref.b3.data()]);
    got2.forEach((v, i) => expect(v).toBeCloseTo(want2[i], 5));
    expect(Array.from(got2b)).toEqual(Array.from(got2));
    got3.forEach((v, i) => expect(v).toBeCloseTo(want3[i], 5));
    expect(Array.from(got3)).not.toEqual(Array.from(got2));
    tf.dispose([...Object.values(b2), ...Object.values(ref)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    plain.dispose();
    folded.dispose();
  });

  it('refresh uploads one changed layer again (re-folded, a new bias included), giving what a fresh compile gives', async () => {
    const x = tf.randomUniform([2, 5, 5, 2], 0, 1, 'float32', 3);
    const changed = structuredClone(g);
    const compiled = compileGraph(changed, { foldBatchNorm: true });
    const before = await compiled.predict(x).data();
    const c1 = changed.nodes.find((n) => n.name === 'c1') as Extract<Graph['nodes'][number], { op: 'conv2d' }>;
    c1.kernel.values = c1.kernel.values.map((v, i) => (i % 3 ? v : 0));
    c1.bias = { shape: [4], values: Float32Array.of(0.1, -0.2, 0.3, 0) };
    compiled.refresh('c1');
    const fresh = compileGraph(changed, { foldBatchNorm: true });
    const [got, want] = await Promise.all([compiled.predict(x).data(), fresh.predict(x).data()]);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(got)).not.toEqual(Array.from(before));
    expect(() => compiled.refresh('b1')).toThrow(/not a conv, depthwise or dense layer/);
    tf.dispose(x);
    compiled.dispose();
    fresh.dispose();
  });
});
