/**
 * Structured filter pruning with model surgery: exact kept filters, shapes and costs on hand-built
 * graphs; and on zoo models, removing channels whose output is exactly zero (coupled across
 * BatchNorm, depthwise convs and residual Adds) must leave the logits unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { StudioError } from '../../src/engine/errors';
import { compileGraph } from '../../src/engine/graph/execute';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import { cloneGraph, type Graph, type GraphNode, type WeightArray } from '../../src/engine/graph/ir';
import { graphCost, inferShapes } from '../../src/engine/graph/shapes';
import { layersModelFromGraph } from '../../src/engine/graph/to-layers';
import { getArchitecture } from '../../src/engine/models/registry';
import { findChannelGroups } from '../../src/engine/prune/channel-groups';
import { structuredPrune } from '../../src/engine/prune/structured';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A weight whose value at multi-index idx is f(idx). */
function weight(shape: number[], f: (idx: number[]) => number): WeightArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const idx: number[] = [];
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]);
      r = Math.floor(r / shape[d]);
    }
    values[i] = f(idx);
  }
  return { shape, values };
}
const vec = (v: number[]): WeightArray => ({ shape: [v.length], values: Float32Array.from(v) });
const node = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)! as GraphNode & Record<string, WeightArray>;
const values = (w: WeightArray) => Array.from(w.values);
/** Entries of w whose index along `axis` is in `keep`, in order: an independent slicer. */
function keepAlong(w: WeightArray, axis: number, keep: number[]): number[] {
  const out: number[] = [];
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  w.values.forEach((v, i) => {
    if (keep.includes(Math.floor(i / inner) % w.shape[axis])) out.push(v);
  });
  return out;
}

/** Deterministic pseudo-random numbers in [lo, hi). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (lo: number, hi: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  };
}

/** Non-trivial BatchNorm statistics, so that slicing the wrong BN entry changes the logits. */
function perturbBatchNorm(g: Graph): void {
  const r = lcg(7);
  for (const n of g.nodes) {
    if (n.op !== 'batchnorm') continue;
    const fill = (w: WeightArray, lo: number, hi: number) => w.values.forEach((_, i) => (w.values[i] = r(lo, hi)));
    fill(n.gamma, 0.5, 1.5);
    fill(n.beta, -0.2, 0.2);
    fill(n.mean, -0.2, 0.2);
    fill(n.variance, 0.5, 2);
  }
}

/** Logits of a graph; checks that compile / predict / dispose leaves no tensor behind. */
async function logits(g: Graph, x: tf.Tensor): Promise<Float32Array> {
  const before = tf.memory().numTensors;
  const compiled = compileGraph(g);
  const y = compiled.predict(x);
  const v = (await y.data()) as Float32Array;
  y.dispose();
  compiled.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return v;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** The LayersModel of a graph builds and is freed again without leaking. */
function buildsAsLayersModel(g: Graph): void {
  const before = tf.memory().numTensors;
  const m = layersModelFromGraph(g);
  m.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

// Filter o of c1 is v1[o] * (1 + ci) * (1 + pos/10) over its 3x3 positions pos and 2 input
// channels ci, so L1(o) = |v1[o]| * (1 + 2) * (9 + 3.6) = 37.8 |v1[o]| = [18.9, 3.78, 11.34, 7.56]:
// 50% (2 of 4) removes filters 1 and 3. For c2 (4 input channels), L1(o) = |v2[o]| * 10 * 12.6 =
// [12.6, 50.4, 25.2]: round(0.5 * 3) = 2 removed (0 and 2), filter 1 kept.
const V1 = [0.5, -0.1, 0.3, -0.2];
const V2 = [0.1, -0.4, 0.2];
function smallGraph(c1Kernel?: WeightArray): Graph {
  const k = (v: number[]) => (i: number[]) => v[i[3]] * (1 + i[2]) * (1 + (i[0] * 3 + i[1]) / 10);
  return {
    name: 'small',
    output: 'fc',
    nodes: [
      { op: 'input', name: 'in', inputs: [], shape: [6, 6, 2] },
      { op: 'conv2d', name: 'c1', inputs: ['in'], kernel: c1Kernel ?? weight([3, 3, 2, 4], k(V1)), bias: vec([0.01, 0.02, 0.03, 0.04]), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'batchnorm', name: 'bn', inputs: ['c1'], gamma: vec([1, 1.5, 2, 2.5]), beta: vec([0.1, 0.2, 0.3, 0.4]), mean: vec([0, 0.1, 0.2, 0.3]), variance: vec([1, 2, 3, 4]), epsilon: 1e-3, momentum: 0.9 },
      { op: 'activation', name: 'relu', inputs: ['bn'], activation: 'relu' },
      { op: 'conv2d', name: 'c2', inputs: ['relu'], kernel: weight([3, 3, 4, 3], k(V2)), bias: vec([0.1, 0.2, 0.3]), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'gap', name: 'gap', inputs: ['c2'] },
      { op: 'dense', name: 'fc', inputs: ['gap'], kernel: weight([3, 5], ([r, c]) => (r + 1) * 0.1 + c * 0.01), bias: vec([0.1, 0.2, 0.3, 0.4, 0.5]), activation: 'linear' },
    ],
  };
}

/** The unpruned graph with the pruned channels' weights zeroed in every consumer: same function. */
function maskConsumers(g: Graph, masks: Array<{ name: string; axis: number; drop: (i: number) => boolean }>): Graph {
  const m = cloneGraph(g);
  for (const { name, axis, drop } of masks) {
    const k = node(m, name).kernel;
    const inner = k.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    k.values.forEach((_, i) => {
      if (drop(Math.floor(i / inner) % k.shape[axis])) k.values[i] = 0;
    });
  }
  return m;
}

describe('structured pruning of a hand-built conv net', () => {
  it('removes the lowest-L1 filters and slices BN, the next conv and the dense exactly', async () => {
    const g = smallGraph();
    // Before: c1 3*3*2*4 + 4 = 76, bn 4*4 = 16, c2 3*3*4*3 + 3 = 111, fc 3*5 + 5 = 20 -> 223.
    // MACs (6x6 outputs, same padding): c1 36*72 = 2592, c2 36*108 = 3888, fc 15 -> 6495.
    expect(graphCost(g).params).toBe(223);
    expect(graphCost(g).macs).toBe(6495);
    const { graph: p, removed, skipped } = structuredPrune(g, { sparsity: 0.5, criterion: 'l1' });
    expect(removed).toEqual([
      { group: ['c1'], before: 4, kept: 2, removed: 2, keptChannels: [0, 2] },
      { group: ['c2'], before: 3, kept: 1, removed: 2, keptChannels: [1] },
    ]);
    expect(skipped.map((s) => s.group)).toEqual([[], ['fc']]);
    expect(skipped[1].reason).toMatch(/model output/);

    expect(node(p, 'c1').kernel.shape).toEqual([3, 3, 2, 2]);
    expect(values(node(p, 'c1').kernel)).toEqual(keepAlong(node(g, 'c1').kernel, 3, [0, 2]));
    expect(values(node(p, 'c1').bias!)).toEqual([0.01, 0.03].map(Math.fround));
    expect(values(node(p, 'bn').gamma)).toEqual([1, 2]);
    expect(values(node(p, 'bn').beta)).toEqual([0.1, 0.3].map(Math.fround));
    expect(values(node(p, 'bn').mean)).toEqual([0, 0.2].map(Math.fround));
    expect(values(node(p, 'bn').variance)).toEqual([1, 3]);
    expect(node(p, 'c2').kernel.shape).toEqual([3, 3, 2, 1]);
    const c2 = node(g, 'c2').kernel;
    expect(values(node(p, 'c2').kernel)).toEqual(Array.from(c2.values).filter((_, i) => [0, 2].includes(Math.floor(i / 3) % 4) && i % 3 === 1));
    expect(values(node(p, 'c2').bias!)).toEqual([Math.fround(0.2)]);
    expect(node(p, 'fc').kernel.shape).toEqual([1, 5]);
    expect(values(node(p, 'fc').kernel)).toEqual(keepAlong(node(g, 'fc').kernel, 0, [1]));
    expect(node(g, 'c1').kernel.shape).toEqual([3, 3, 2, 4]); // the input graph is untouched

    // After: c1 3*3*2*2 + 2 = 38, bn 4*2 = 8, c2 3*3*2*1 + 1 = 19, fc 1*5 + 5 = 10 -> 75.
    // MACs: c1 36*36 = 1296, c2 36*18 = 648, fc 5 -> 1949.
    expect(graphCost(p).params).toBe(75);
    expect(graphCost(p).macs).toBe(1949);

    // The pruned net computes what the unpruned one does with the removed channels' readers zeroed.
    const ref = maskConsumers(g, [
      { name: 'c2', axis: 2, drop: (c) => c === 1 || c === 3 },
      { name: 'fc', axis: 0, drop: (r) => r !== 1 },
    ]);
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 1);
    expect(maxAbsDiff(await logits(p, x), await logits(ref, x))).toBeLessThan(1e-5);
    x.dispose();
    buildsAsLayersModel(p);
  });

  it('L2 and L1 disagree on few large weights versus many small ones; ties go to the lower index', () => {
    // Filters of c1 (18 weights each): f0 all 0.1 (L1 1.8, L2 0.42), f1 one 1.0 (L1 1, L2 1),
    // f2 all 0.2 (L1 3.6, L2 0.85), f3 one 2.0 (L1 2, L2 2).
    const k = weight([3, 3, 2, 4], ([h, w, ci, o]) => {
      const first = h === 0 && w === 0 && ci === 0;
      return [0.1, first ? 1 : 0, 0.2, first ? 2 : 0][o];
    });
    const kept = (criterion: 'l1' | 'l2') => structuredPrune(smallGraph(k), { sparsity: 0.5, criterion, overrides: { c2: 0 } }).removed[0].keptChannels;
    expect(kept('l1')).toEqual([2, 3]);
    expect(kept('l2')).toEqual([1, 3]);
    const equal = weight([3, 3, 2, 4], () => 0.3);
    expect(structuredPrune(smallGraph(equal), { sparsity: 0.5, criterion: 'l1' }).removed[0].keptChannels).toEqual([2, 3]);
  });

  it('honours overrides, spareFirstLast and minChannels', () => {
    const g = smallGraph();
    const counts = (opts: Parameters<typeof structuredPrune>[1]) => structuredPrune(g, opts).removed.map((r) => [r.group[0], r.removed]);
    expect(counts({ sparsity: 0.5, criterion: 'l1', overrides: { c1: 0.25 } })).toEqual([
      ['c1', 1],
      ['c2', 2],
    ]);
    expect(counts({ sparsity: 0.5, criterion: 'l1', spareFirstLast: true })).toEqual([]);
    expect(counts({ sparsity: 0.5, criterion: 'l1', spareFirstLast: true, overrides: { c1: 0.5 } })).toEqual([['c1', 2]]);
    expect(counts({ sparsity: 1, criterion: 'l1' })).toEqual([
      ['c1', 3],
      ['c2', 2],
    ]);
    expect(counts({ sparsity: 1, criterion: 'l1', minChannels: 2 })).toEqual([
      ['c1', 2],
      ['c2', 1],
    ]);
    expect(counts({ sparsity: 0, criterion: 'l2' })).toEqual([
      ['c1', 0],
      ['c2', 0],
    ]);
  });

  it('refuses bad options with a StudioError that says what is wrong', () => {
    const g = smallGraph();
    const fails = (opts: Record<string, unknown>, msg: RegExp) => {
      let err: unknown;
      try {
        structuredPrune(g, { sparsity: 0.5, criterion: 'l1', ...opts } as Parameters<typeof structuredPrune>[1]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StudioError);
      expect((err as StudioError).kind).toBe('user');
      expect((err as StudioError).code).toBe('bad-settings');
      expect((err as StudioError).message).toMatch(msg);
    };
    fails({ sparsity: 1.5 }, /sparsity must be a fraction between 0 and 1; got 1.5/);
    fails({ sparsity: -0.1 }, /got -0.1/);
    fails({ sparsity: Number.NaN }, /got NaN/);
    fails({ criterion: 'l3' }, /"l1" or "l2"/);
    fails({ minChannels: 0 }, /minChannels/);
    fails({ overrides: { conv9: 0.5 } }, /"conv9", which this model does not have/);
    fails({ overrides: { bn: 0.5 } }, /"bn", a batchnorm layer/);
    fails({ overrides: { fc: 0.5 } }, /"fc" cannot be pruned: they are the model output/);
    fails({ overrides: { c1: 2 } }, /override for "c1"/);
  });

  it('after Flatten, removes the dense rows c, c+C, c+2C, ... of a removed channel', async () => {
    // 4x4x1 -> conv 3x3/2 (3 filters, filter 1 all zero and bias 0, so its ReLU output is 0)
    // -> 2x2x3 -> flatten (12, channel-fastest) -> dense 12 -> 2.
    const g: Graph = {
      name: 'flat',
      output: 'fc',
      nodes: [
        { op: 'input', name: 'in', inputs: [], shape: [4, 4, 1] },
        { op: 'conv2d', name: 'c', inputs: ['in'], kernel: weight([3, 3, 1, 3], ([h, w, , o]) => (o === 1 ? 0 : 0.1 * (o + 1) + 0.05 * h - 0.03 * w)), bias: vec([0.1, 0, -0.1]), strides: [2, 2], padding: 'same', activation: 'relu' },
        { op: 'flatten', name: 'f', inputs: ['c'] },
        { op: 'dense', name: 'fc', inputs: ['f'], kernel: weight([12, 2], ([r, c]) => 0.1 * r - 0.2 * c + 0.05), activation: 'linear' },
      ],
    };
    const { graph: p, removed } = structuredPrune(g, { sparsity: 1 / 3, criterion: 'l1' });
    expect(removed).toEqual([{ group: ['c'], before: 3, kept: 2, removed: 1, keptChannels: [0, 2] }]);
    expect(node(p, 'fc').kernel.shape).toEqual([8, 2]);
    expect(values(node(p, 'fc').kernel)).toEqual(keepAlong(node(g, 'fc').kernel, 0, [0, 2, 3, 5, 6, 8, 9, 11]));
    const x = tf.randomUniform([3, 4, 4, 1], -1, 1, 'float32', 2);
    expect(maxAbsDiff(await logits(p, x), await logits(g, x))).toBeLessThan(1e-6);
    x.dispose();
  });
});

describe('structured pruning through a depthwise conv', () => {
  // in 8x8x3 -> pw1 1x1 (4) -> bn1 -> relu6 -> dw 3x3 (multiplier m, bias) -> bn2 -> relu6
  // -> pw2 1x1 (6) -> gap -> fc 6 -> 2. pw1 filter o is P1[o] * (1 + ci): L1 = 6 |P1[o]| =
  // [1.8, 0.3, 1.2, 0.6], so 50% keeps [0, 2]; pw2's L1 = 10 |P2[o]| = [1, 6, 2, 5, 0.5, 3]
  // (on the unpruned kernel), so 50% (3 of 6) keeps [1, 3, 5].
  const P1 = [0.3, -0.05, 0.2, 0.1];
  const P2 = [0.1, 0.6, -0.2, 0.5, 0.05, -0.3];
  const bn = (name: string, input: string, c: number): GraphNode => ({
    op: 'batchnorm',
    name,
    inputs: [input],
    epsilon: 1e-3,
    momentum: 0.9,
    gamma: weight([c], ([i]) => 1 + 0.1 * i),
    beta: weight([c], ([i]) => 0.05 * i - 0.1),
    mean: weight([c], ([i]) => 0.02 * i),
    variance: weight([c], ([i]) => 1 + 0.2 * i),
  });
  const dwNet = (mult: number): Graph => ({
    name: 'dw',
    output: 'fc',
    nodes: [
      { op: 'input', name: 'in', inputs: [], shape: [8, 8, 3] },
      { op: 'conv2d', name: 'pw1', inputs: ['in'], kernel: weight([1, 1, 3, 4], ([, , ci, o]) => P1[o] * (1 + ci)), strides: [1, 1], padding: 'same', activation: 'linear' },
      bn('bn1', 'pw1', 4),
      { op: 'activation', name: 'a1', inputs: ['bn1'], activation: 'relu6' },
      {
        op: 'depthwise',
        name: 'dw',
        inputs: ['a1'],
        kernel: weight([3, 3, 4, mult], ([h, w, c, m]) => 0.1 * (h - w) + 0.05 * c + 0.2 * m + 0.1),
        bias: weight([4 * mult], ([i]) => 0.01 * i),
        strides: [1, 1],
        padding: 'same',
        activation: 'linear',
      },
      bn('bn2', 'dw', 4 * mult),
      { op: 'activation', name: 'a2', inputs: ['bn2'], activation: 'relu6' },
      { op: 'conv2d', name: 'pw2', inputs: ['a2'], kernel: weight([1, 1, 4 * mult, 6], ([, , ci, o]) => (P2[o] * (1 + ci) * 4) / (4 * mult)), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'gap', name: 'gap', inputs: ['pw2'] },
      { op: 'dense', name: 'fc', inputs: ['gap'], kernel: weight([6, 2], ([r, c]) => 0.1 * (r + 1) * (c ? -1 : 1)), bias: vec([0.1, -0.1]), activation: 'linear' },
    ],
  });

  it('carries pw1 channels through the depthwise and its BatchNorms, with exact costs', async () => {
    const g = dwNet(1);
    expect(findChannelGroups(g)[1]).toEqual({ channels: 4, producers: ['pw1'], passthrough: ['bn1', 'dw', 'bn2'], consumers: [{ name: 'pw2', repeat: 1 }] });
    // Before: pw1 1*1*3*4 = 12, bn1 16, dw 3*3*4*1 + 4 = 40, bn2 16, pw2 1*1*4*6 = 24,
    // fc 6*2 + 2 = 14 -> 122. MACs over 8x8 = 64 positions: pw1 768, dw 2304, pw2 1536, fc 12 -> 4620.
    expect(graphCost(g).params).toBe(122);
    expect(graphCost(g).macs).toBe(4620);
    const { graph: p, removed } = structuredPrune(g, { sparsity: 0.5, criterion: 'l1' });
    expect(removed.map((r) => [r.group, r.keptChannels])).toEqual([
      [['pw1'], [0, 2]],
      [['pw2'], [1, 3, 5]],
    ]);
    expect(node(p, 'dw').kernel.shape).toEqual([3, 3, 2, 1]);
    expect(values(node(p, 'dw').kernel)).toEqual(keepAlong(node(g, 'dw').kernel, 2, [0, 2]));
    expect(values(node(p, 'dw').bias!)).toEqual([0, 0.02].map(Math.fround));
    expect(values(node(p, 'bn2').variance)).toEqual([1, 1.4].map(Math.fround));
    expect(node(p, 'pw2').kernel.shape).toEqual([1, 1, 2, 3]);
    expect(node(p, 'fc').kernel.shape).toEqual([3, 2]);
    // After: pw1 3*2 = 6, bn1 8, dw 3*3*2 + 2 = 20, bn2 8, pw2 2*3 = 6, fc 3*2 + 2 = 8 -> 56.
    // MACs: pw1 64*6 = 384, dw 64*18 = 1152, pw2 64*6 = 384, fc 6 -> 1926.
    expect(graphCost(p).params).toBe(56);
    expect(graphCost(p).macs).toBe(1926);
    const ref = maskConsumers(g, [
      { name: 'pw2', axis: 2, drop: (c) => c === 1 || c === 3 },
      { name: 'fc', axis: 0, drop: (r) => ![1, 3, 5].includes(r) },
    ]);
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 3);
    expect(maxAbsDiff(await logits(p, x), await logits(ref, x))).toBeLessThan(1e-5);
    x.dispose();
    buildsAsLayersModel(p);
  });

  it('leaves groups through a depthwise with multiplier 2 whole and refuses to override them', () => {
    const g = dwNet(2);
    const { removed, skipped } = structuredPrune(g, { sparsity: 0.5, criterion: 'l1' });
    expect(removed.map((r) => r.group)).toEqual([['pw2']]);
    expect(skipped.find((s) => s.group[0] === 'pw1')!.reason).toMatch(/depth multiplier 2/);
    expect(() => structuredPrune(g, { sparsity: 0, criterion: 'l1', overrides: { pw1: 0.5 } })).toThrow(/"pw1" cannot be pruned: depthwise "dw" has depth multiplier 2/);
  });
});

/** Zeroes channels `cs` of the named producers' kernels and of the named BNs' beta and mean. */
function zeroChannels(g: Graph, producers: string[], bns: string[], cs: number[]): void {
  for (const name of producers) {
    const k = node(g, name).kernel;
    const cout = k.shape[k.shape.length - 1];
    k.values.forEach((_, i) => {
      if (cs.includes(i % cout)) k.values[i] = 0;
    });
  }
  for (const name of bns) {
    for (const c of cs) {
      node(g, name).beta.values[c] = 0;
      node(g, name).mean.values[c] = 0;
    }
  }
}

/** Every 4th channel from 1: a quarter of C, spread over the group. */
const quarter = (c: number) => Array.from({ length: c / 4 }, (_, i) => 4 * i + 1);

function zooGraph(id: string): Graph {
  const model = getArchitecture(id).build({ inputShape: [32, 32, 3], numClasses: 10 });
  const g = graphFromLayersModel(model);
  model.dispose();
  perturbBatchNorm(g);
  return g;
}

describe('structured pruning of zoo models: removing zero channels keeps the logits', () => {
  it('custom-cnn: a quarter of every conv group', async () => {
    const g = zooGraph('custom-cnn');
    const widths = [32, 32, 64, 64, 128];
    widths.forEach((c, i) => zeroChannels(g, [`block${i + 1}_conv`], [`block${i + 1}_bn`], quarter(c)));
    const { graph: p, removed } = structuredPrune(g, { sparsity: 0.25, criterion: 'l2' });
    expect(removed.map((r) => r.group)).toEqual(widths.map((_, i) => [`block${i + 1}_conv`]));
    removed.forEach((r, i) => expect(r.keptChannels.filter((c) => quarter(widths[i]).includes(c))).toEqual([]));
    expect(node(p, 'logits').kernel.shape).toEqual([96, 10]);
    expect(graphCost(p).params).toBeLessThan(graphCost(g).params * 0.6);
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 4);
    expect(maxAbsDiff(await logits(p, x), await logits(g, x))).toBeLessThan(1e-5);
    x.dispose();
    buildsAsLayersModel(p);
  });

  it('mobilenet-v1-0.25: pointwise -> BN -> relu6 -> depthwise -> BN -> relu6 -> pointwise is one group', async () => {
    const g = zooGraph('mobilenet-v1-0.25');
    const groups = findChannelGroups(g).filter((gr) => !gr.blockedBy);
    expect(groups.map((gr) => gr.producers[0])).toEqual(['stem_conv', ...Array.from({ length: 13 }, (_, i) => `block${i + 1}_pw_conv`)]);
    expect(groups[1]).toEqual({ channels: 16, producers: ['block1_pw_conv'], passthrough: ['block1_pw_bn', 'block2_dw', 'block2_dw_bn'], consumers: [{ name: 'block2_pw_conv', repeat: 1 }] });
    // Zero a quarter of every group's producer and both BatchNorms along its chain.
    groups.forEach((gr) =>
      zeroChannels(
        g,
        gr.producers,
        gr.passthrough.filter((n) => n.endsWith('bn')),
        quarter(gr.channels),
      ),
    );
    const { graph: p, removed } = structuredPrune(g, { sparsity: 0.25, criterion: 'l1' });
    expect(removed).toHaveLength(14);
    removed.forEach((r) => expect(r.keptChannels.filter((c) => quarter(r.before).includes(c))).toEqual([]));
    expect(graphCost(p).macs).toBeLessThan(graphCost(g).macs * 0.65);
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
    expect(maxAbsDiff(await logits(p, x), await logits(g, x))).toBeLessThan(1e-5);
    x.dispose();
    buildsAsLayersModel(p);
  });
});

describe('structured pruning of a hand-built residual join', () => {
  // in 4x4x2 -> p1 1x1 (3) -> bn1 -> add(bn1, p2) <- p2 1x1 (3) <- in; add -> relu -> c 1x1 (2)
  // -> gap -> fc 2 -> 2. Per-channel L1: p1 [3, 1, 2], p2 [0, 2.5, 0.5], summed [3, 3.5, 2.5]: the
  // group drops channel 2, where p1 alone would drop 1 and p2 alone 0.
  const P1 = [3, -1, 2];
  const P2 = [0, -2.5, 0.5];
  const g: Graph = {
    name: 'res',
    output: 'fc',
    nodes: [
      { op: 'input', name: 'in', inputs: [], shape: [4, 4, 2] },
      { op: 'conv2d', name: 'p1', inputs: ['in'], kernel: weight([1, 1, 2, 3], ([, , ci, o]) => (P1[o] * (1 + ci)) / 3), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'batchnorm', name: 'bn1', inputs: ['p1'], gamma: vec([1, 2, 3]), beta: vec([0.1, -0.1, 0.2]), mean: vec([0.3, 0, -0.3]), variance: vec([1, 1, 2]), epsilon: 1e-3, momentum: 0.9 },
      { op: 'conv2d', name: 'p2', inputs: ['in'], kernel: weight([1, 1, 2, 3], ([, , ci, o]) => (P2[o] * (1 + ci)) / 3), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'add', name: 'sum', inputs: ['bn1', 'p2'], activation: 'linear' },
      { op: 'activation', name: 'r', inputs: ['sum'], activation: 'relu' },
      { op: 'conv2d', name: 'c', inputs: ['r'], kernel: weight([1, 1, 3, 2], ([, , ci, o]) => 0.2 * ci - 0.3 * o + 0.1), strides: [1, 1], padding: 'same', activation: 'linear' },
      { op: 'gap', name: 'gap', inputs: ['c'] },
      { op: 'dense', name: 'fc', inputs: ['gap'], kernel: weight([2, 2], ([r, c]) => r - c + 0.5), bias: vec([0, 0.1]), activation: 'linear' },
    ],
  };

  it('ranks the joined producers by their summed filter norms and slices both', async () => {
    expect(findChannelGroups(g)[1]).toEqual({ channels: 3, producers: ['p1', 'p2'], passthrough: ['bn1'], consumers: [{ name: 'c', repeat: 1 }] });
    // Before: p1 1*1*2*3 = 6, bn1 4*3 = 12, p2 6, c 1*1*3*2 = 6, fc 2*2 + 2 = 6 -> 36.
    // MACs over 4x4 = 16 positions: p1 96, p2 96, c 96, fc 4 -> 292.
    expect(graphCost(g).params).toBe(36);
    expect(graphCost(g).macs).toBe(292);
    const { graph: p, removed } = structuredPrune(g, { sparsity: 1 / 3, criterion: 'l1', overrides: { c: 0 } });
    expect(removed[0]).toEqual({ group: ['p1', 'p2'], before: 3, kept: 2, removed: 1, keptChannels: [0, 1] });
    expect(values(node(p, 'p1').kernel)).toEqual(keepAlong(node(g, 'p1').kernel, 3, [0, 1]));
    expect(values(node(p, 'p2').kernel)).toEqual(keepAlong(node(g, 'p2').kernel, 3, [0, 1]));
    expect(values(node(p, 'bn1').mean)).toEqual([0.3, 0].map(Math.fround));
    expect(node(p, 'c').kernel.shape).toEqual([1, 1, 2, 2]);
    // After: p1 4, bn1 8, p2 4, c 4, fc 6 -> 26. MACs: p1 64, p2 64, c 64, fc 4 -> 196.
    expect(graphCost(p).params).toBe(26);
    expect(graphCost(p).macs).toBe(196);
    const ref = maskConsumers(g, [{ name: 'c', axis: 2, drop: (c) => c === 2 }]);
    const x = tf.randomUniform([2, 4, 4, 2], -1, 1, 'float32', 8);
    expect(maxAbsDiff(await logits(p, x), await logits(ref, x))).toBeLessThan(1e-5);
    x.dispose();
  });

  it('refuses different overrides for two layers of one coupled group', () => {
    expect(() => structuredPrune(g, { sparsity: 0, criterion: 'l1', overrides: { p1: 0.5, p2: 0.25 } })).toThrow(/"p1" and "p2" are pruned together/);
    expect(structuredPrune(g, { sparsity: 0, criterion: 'l1', overrides: { p1: 0.5, p2: 0.5 } }).removed[0].removed).toBe(2);
  });
});

describe('structured pruning of resnet50: channels coupled across Add', () => {
  let g: Graph;
  beforeAll(() => {
    g = zooGraph('resnet50');
  });

  it("joins a stage's block outputs and projection into one group, and keeps Add inputs equal at 50%", async () => {
    const stage1 = findChannelGroups(g).find((gr) => gr.producers.includes('s1b1_c_conv'))!;
    expect(stage1.producers).toEqual(['s1b1_c_conv', 's1b1_proj_conv', 's1b2_c_conv', 's1b3_c_conv']);
    expect(stage1.consumers.map((c) => c.name)).toEqual(['s1b2_a_conv', 's1b3_a_conv', 's2b1_a_conv', 's2b1_proj_conv']);
    const { graph: p, removed } = structuredPrune(g, { sparsity: 0.5, criterion: 'l1' });
    expect(removed.find((r) => r.group[0] === 's1b1_c_conv')).toMatchObject({ before: 256, kept: 128 });
    const shapes = inferShapes(p);
    for (const n of p.nodes) if (n.op === 'add') expect(shapes.get(n.inputs[0])).toEqual(shapes.get(n.inputs[1]));
    expect(shapes.get('s4b3_add')).toEqual([4, 4, 1024]);
    expect(graphCost(p).params).toBeLessThan(graphCost(g).params * 0.3);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 6);
    const y = await logits(p, x);
    expect(y).toHaveLength(10);
    expect(y.every(Number.isFinite)).toBe(true);
    x.dispose();
    buildsAsLayersModel(p);
  });

  it('removing channels zeroed in every producer of a residual group keeps the logits', async () => {
    const z = cloneGraph(g);
    const producers = ['s1b1_c_conv', 's1b1_proj_conv', 's1b2_c_conv', 's1b3_c_conv'];
    zeroChannels(
      z,
      producers,
      producers.map((n) => n.replace('_conv', '_bn')),
      quarter(256),
    );
    const { graph: p, removed } = structuredPrune(z, { sparsity: 0, criterion: 'l1', overrides: { s1b2_c_conv: 0.25 } });
    const pruned = removed.filter((r) => r.removed > 0);
    expect(pruned.map((r) => [r.group[0], r.removed])).toEqual([['s1b1_c_conv', 64]]);
    expect(pruned[0].keptChannels.filter((c) => c % 4 === 1)).toEqual([]);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 7);
    const [a, b] = [await logits(p, x), await logits(z, x)];
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5 * Math.max(1, ...Array.from(b, Math.abs)));
    x.dispose();
  });
});
