/**
 * visitLayersInOrder (recon/in-order.ts) computes each layer's inputs from the activations at the
 * previous layer's cut, through the layers as they stand at that moment. Its statistics must be
 * exactly those of a full run from the images through the model as it stands when the layer is
 * visited (how it computed them before), across a residual connection and for the dense targets,
 * with every tensor freed.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/engine/graph/execute';
import { cloneGraph, type Graph, type WeightedNode } from '../../src/engine/graph/ir';
import { toInputTensorAt } from '../../src/engine/preprocess';
import { calibrationIndices } from '../../src/engine/quantize/calibrate-graph';
import { visitLayersInOrder } from '../../src/engine/recon/in-order';
import { InputStats, layerShape } from '../../src/engine/recon/layer-problem';
import { kernelValues, syntheticImages } from './recon-fixtures';

/** in -> c1 -> c2 -> add(c1, c2) -> c3 -> gap -> d: c2 and the add both read c1 (the skip crosses c2's cut). */
const graph: Graph = {
  name: 'residual',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [6, 6, 2] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 4], values: kernelValues(72, 1.3) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 4, 4], values: kernelValues(144, 0.7) }, strides: [1, 1], padding: 'same', activation: 'linear' },
    { name: 'add', op: 'add', inputs: ['c1', 'c2'], activation: 'relu' },
    { name: 'c3', op: 'conv2d', inputs: ['add'], kernel: { shape: [3, 3, 4, 4], values: kernelValues(144, 1.9) }, strides: [2, 2], padding: 'same', activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['c3'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [4, 3], values: kernelValues(12, 2.1) }, activation: 'linear' },
  ],
};

describe('visitLayersInOrder', () => {
  it('gives each layer exactly the statistics of a full run through the model as it then stands, and frees everything', async () => {
    const images = syntheticImages(20, [6, 6, 2]);
    const cal = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 20 };
    const g = cloneGraph(graph);
    const dense = cloneGraph(graph);
    const layers = g.nodes.filter((n): n is WeightedNode => n.op === 'conv2d' || n.op === 'dense');
    const idx = calibrationIndices(images.count, cal.samples, 1);
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    await visitLayersInOrder(
      g,
      layers,
      cal,
      async (n, stats) => {
        // The reference: the images through the whole model as it stands now, in the same batches.
        const ref = new InputStats(layerShape(n));
        const now = compileGraph(g);
        const denseNow = compileGraph(dense);
        for (let b = 0; b < idx.length; b += 8) {
          const x = toInputTensorAt(images, idx.subarray(b, b + 8), cal.preprocessing);
          const outs = now.capture(x, [n.inputs[0]]);
          const denseOuts = denseNow.capture(x, [n.inputs[0]]);
          await ref.add(n, outs[n.inputs[0]], denseOuts[n.inputs[0]]);
          tf.dispose([x, ...Object.values(outs), ...Object.values(denseOuts)]);
        }
        now.dispose();
        denseNow.dispose();
        expect(stats.count).toBe(ref.count);
        expect(stats.h.map((h) => Array.from(h))).toEqual(ref.h.map((h) => Array.from(h)));
        expect(stats.cross!.map((c) => Array.from(c))).toEqual(ref.cross!.map((c) => Array.from(c)));
        // Change the layer, as pruning does, so the next layers' inputs differ from the dense model's.
        n.kernel.values.forEach((v, i) => (n.kernel.values[i] = i % 3 === 0 ? 0 : v * 1.1));
        seen.push(n.name);
      },
      { batch: 8, denseTargets: dense },
    );
    expect(seen).toEqual(['c1', 'c2', 'c3', 'd']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
