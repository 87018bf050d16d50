/**
 * The engine's graph: LayersModel -> Graph -> (executor | LayersModel) must compute what the
 * original model computes, and static costs must match the tfjs summary and hand counts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { compileGraph } from '../../src/engine/graph/execute';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import type { Graph } from '../../src/engine/graph/ir';
import { withoutFinalSoftmax } from '../../src/engine/graph/rewrite';
import { activationMemory, graphCost } from '../../src/engine/graph/shapes';
import { layersModelFromGraph } from '../../src/engine/graph/to-layers';
import { getArchitecture } from '../../src/engine/models/registry';
import { summarize } from '../../src/engine/models/summary';

beforeAll(async () => {
  await initBackend('wasm');
});

function randomInput(shape: [number, number, number, number], seed = 3): tf.Tensor4D {
  return tf.randomUniform(shape, -1, 1, 'float32', seed) as tf.Tensor4D;
}

/** Gives BatchNorm layers non-trivial statistics so that tests exercise them. */
function perturbBatchNorm(model: tf.LayersModel): void {
  let seed = 10;
  for (const l of model.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    const [g, b, m, v] = l.getWeights();
    l.setWeights([
      tf.randomUniform(g.shape, 0.5, 1.5, 'float32', seed++),
      tf.randomUniform(b.shape, -0.2, 0.2, 'float32', seed++),
      tf.randomUniform(m.shape, -0.2, 0.2, 'float32', seed++),
      tf.randomUniform(v.shape, 0.5, 2, 'float32', seed++),
    ]);
  }
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

describe('graph conversion and execution', () => {
  for (const id of ['custom-cnn', 'mobilenet-v1-0.25', 'resnet50', 'vgg16']) {
    it(`${id}: executor and rebuilt LayersModel match the original's logits`, async () => {
      const model = getArchitecture(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
      perturbBatchNorm(model);
      const before = tf.memory().numTensors;
      const g = graphFromLayersModel(model);
      const x = randomInput([2, 32, 32, 3]);
      const ref = model.predict(x) as tf.Tensor;
      const compiled = compileGraph(g);
      const y = compiled.predict(x);
      const rebuilt = layersModelFromGraph(g);
      const y2 = rebuilt.predict(x) as tf.Tensor;
      expect(await maxDiff(ref, y)).toBeLessThan(1e-4);
      expect(await maxDiff(ref, y2)).toBe(0);
      expect(rebuilt.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      const s = summarize(model);
      const c = graphCost(g);
      expect(c.params).toBe(s.params);
      expect(c.macs).toBe(s.macs);
      tf.dispose([ref, y, y2, x]);
      compiled.dispose();
      rebuilt.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }, 60_000);
  }

  it('refuses an unsupported layer by name', () => {
    const input = tf.input({ shape: [8, 8, 1], name: 'in' });
    const y = tf.layers.upSampling2d({ name: 'up' }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: y });
    expect(() => graphFromLayersModel(m)).toThrow(/Unsupported layer "up" of class UpSampling2D/);
    m.dispose();
  });
});

describe('activation memory', () => {
  it('counts the live tensors of a small chain and a residual block by hand', () => {
    const w = (shape: number[]) => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    // input 8x8x1 (64) -> conv 8x8x4 (256) -> pool 4x4x4 (64) -> gap (4) -> dense (10)
    const chain: Graph = {
      name: 'chain',
      output: 'fc',
      nodes: [
        { op: 'input', name: 'in', inputs: [], shape: [8, 8, 1] },
        { op: 'conv2d', name: 'c', inputs: ['in'], kernel: w([3, 3, 1, 4]), strides: [1, 1], padding: 'same', activation: 'relu' },
        { op: 'maxpool', name: 'p', inputs: ['c'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
        { op: 'gap', name: 'g', inputs: ['p'] },
        { op: 'dense', name: 'fc', inputs: ['g'], kernel: w([4, 10]), activation: 'linear' },
      ],
    };
    const m = activationMemory(chain);
    expect(m.liveElements.map((l) => l.elements)).toEqual([64, 64 + 256, 256 + 64, 64 + 4, 4 + 10]);
    expect(m.peakElements).toBe(320);
    expect(m.peakAt).toBe('c');
    expect(m.peakInt8Bytes).toBe(320);
    expect(m.peakFloat32Bytes).toBe(1280);
    // residual: in(16) -> a(16) -> b(16); add(in, b) keeps `in` alive across a and b.
    const res: Graph = {
      name: 'res',
      output: 'sum',
      nodes: [
        { op: 'input', name: 'in', inputs: [], shape: [2, 2, 4] },
        { op: 'conv2d', name: 'a', inputs: ['in'], kernel: w([1, 1, 4, 4]), strides: [1, 1], padding: 'same', activation: 'relu' },
        { op: 'conv2d', name: 'b', inputs: ['a'], kernel: w([1, 1, 4, 4]), strides: [1, 1], padding: 'same', activation: 'linear' },
        { op: 'add', name: 'sum', inputs: ['b', 'in'], activation: 'relu' },
      ],
    };
    expect(activationMemory(res).liveElements.map((l) => l.elements)).toEqual([16, 32, 48, 48]);
  });

  it('counts MACs of a conv, a depthwise and a dense layer by hand, and effective MACs over non-zeros', () => {
    const k = new Float32Array(3 * 3 * 2 * 4).fill(1);
    k.fill(0, 0, 36); // half the kernel is zero
    const g: Graph = {
      name: 'm',
      output: 'fc',
      nodes: [
        { op: 'input', name: 'in', inputs: [], shape: [6, 6, 2] },
        { op: 'conv2d', name: 'c', inputs: ['in'], kernel: { shape: [3, 3, 2, 4], values: k }, bias: { shape: [4], values: new Float32Array(4) }, strides: [2, 2], padding: 'same', activation: 'relu' },
        { op: 'depthwise', name: 'd', inputs: ['c'], kernel: { shape: [3, 3, 4, 1], values: new Float32Array(36).fill(1) }, strides: [1, 1], padding: 'valid', activation: 'relu' },
        { op: 'flatten', name: 'f', inputs: ['d'] },
        { op: 'dense', name: 'fc', inputs: ['f'], kernel: { shape: [4, 3], values: new Float32Array(12).fill(1) }, activation: 'linear' },
      ],
    };
    const c = graphCost(g);
    // conv: out 3x3x4, 9 positions * 72 weights = 648; depthwise valid: out 1x1x4, 36; dense 12.
    expect(c.nodes.map((n) => n.macs)).toEqual([0, 648, 36, 0, 12]);
    expect(c.macs).toBe(696);
    expect(c.effectiveMacs).toBe(324 + 36 + 12);
    expect(c.params).toBe(72 + 4 + 36 + 12);
    expect(c.nonZeroParams).toBe(36 + 36 + 12);
  });
});

describe('withoutFinalSoftmax (full-integer quantization takes the logits)', () => {
  const w = (shape: number[]) => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const base = (activation: 'softmax' | 'linear'): Graph => ({
    name: 'g',
    nodes: [
      { op: 'input', name: 'x', inputs: [], shape: [2, 2, 1] },
      { op: 'flatten', name: 'f', inputs: ['x'] },
      { op: 'dense', name: 'd', inputs: ['f'], kernel: w([4, 3]), activation },
    ],
    output: 'd',
  });

  it('unfuses a softmax from the output op, leaving the caller its graph', () => {
    const g = base('softmax');
    const out = withoutFinalSoftmax(g);
    expect(out.nodes[2]).toMatchObject({ name: 'd', activation: 'linear' });
    expect(g.nodes[2]).toMatchObject({ activation: 'softmax' });
    expect(withoutFinalSoftmax(base('linear'))).toEqual(base('linear'));
  });

  it('drops a softmax node at the output, and only there', () => {
    const g = base('linear');
    g.nodes.push({ op: 'activation', name: 's', inputs: ['d'], activation: 'softmax' });
    g.output = 's';
    const out = withoutFinalSoftmax(g);
    expect(out.output).toBe('d');
    expect(out.nodes.map((n) => n.name)).toEqual(['x', 'f', 'd']);
    // A softmax that is not the output stays (the int8 export refuses it by name).
    const inner = base('softmax');
    inner.nodes.push({ op: 'activation', name: 'r', inputs: ['d'], activation: 'relu' });
    inner.output = 'r';
    expect(withoutFinalSoftmax(inner)).toBe(inner);
  });
});
