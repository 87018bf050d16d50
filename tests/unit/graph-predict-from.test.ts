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
