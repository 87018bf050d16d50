/**
 * The composed wasm training kernels (src/engine/backend/wasm-training-kernels.ts) against the tfjs
 * cpu backend's own implementation of the same kernels, on seeded random data: strides 1 and 2,
 * 'same' and 'valid', kernel sizes 1/3/5, spatial sizes 7 and 8, batch 1 and 7, channel counts 3
 * and 5 (both in and out), plus explicit/numeric padding, non-square shapes and channel multiplier
 * 2. Tolerance: max |wasm - cpu| / max |cpu| <= 1e-4. Also: no tensor or wasm buffer leaks, the
 * registration report, graceful failure, and tf.grad through conv2d/depthwiseConv2d on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/engine/backend/wasm-training-kernels';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

const TOL = 1e-4;
const FOUR = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];

/** Deterministic uniform(-1, 1) values (LCG), so failures reproduce. */
function seeded(size: number, seed: number): Float32Array {
  const a = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs one kernel on `backend` with tensors built from the given arrays; returns its values. */
async function runOn(backend: string, kernel: string, inputs: Record<string, { data: Float32Array; shape: number[] }>, attrs: Record<string, unknown>) {
  await tf.setBackend(backend);
  const t = tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.data, v.shape);
    return tf.engine().runKernel(kernel, ins as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  });
  const shape = t.shape;
  const values = await t.data();
  t.dispose();
  return { shape, values: values as Float32Array };
}

/** Output shape of the forward op (on cpu, shape only) so dy has the right shape. */
function forwardShape(depthwise: boolean, xShape: Shape4, fShape: Shape4, strides: number | [number, number], pad: Pad, dims?: 'floor' | 'round' | 'ceil', dilations: number = 1): Shape4 {
  return tf.backend_util.computeConv2DInfo(xShape, fShape, strides, dilations, pad, dims, depthwise).outShape as Shape4;
}

const worst: Record<string, number> = {};

function relErr(ref: Float32Array, got: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-30);
}

async function compare(kernel: string, inputs: Record<string, { data: Float32Array; shape: number[] }>, attrs: Record<string, unknown>) {
  const ref = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  expect(got.shape).toEqual(ref.shape);
  const err = relErr(ref.values, got.values);
  worst[kernel] = Math.max(worst[kernel] ?? 0, err);
  expect(err).toBeLessThanOrEqual(TOL);
}

interface Case {
  stride: number | [number, number];
  pad: Pad;
  k: number | [number, number];
  hw: number | [number, number];
  batch: number;
  cin: number;
  cout: number;
  mult: number;
  dims?: 'floor' | 'round' | 'ceil';
}

// Full grid over strides x padding x kernel size x spatial size x batch (48 cases); channel counts
// alternate between (3 in, 5 out) and (5 in, 3 out) and the depthwise multiplier between 1 and 2,
// so every listed value of every axis is covered.
const GRID: Case[] = [];
for (const stride of [1, 2])
  for (const pad of ['same', 'valid'] as const)
    for (const k of [1, 3, 5])
      for (const hw of [7, 8])
        for (const batch of [1, 7]) {
          const i = GRID.length;
          GRID.push({ stride, pad, k, hw, batch, cin: i % 2 ? 5 : 3, cout: i % 2 ? 3 : 5, mult: (i >> 1) % 2 ? 2 : 1 });
        }
// Shapes and paddings off the main grid.
const EXTRA: Case[] = [
  { stride: [2, 1], pad: 'same', k: [3, 5], hw: [7, 8], batch: 3, cin: 5, cout: 3, mult: 1 },
  { stride: [1, 2], pad: 'valid', k: [5, 1], hw: [8, 7], batch: 2, cin: 3, cout: 5, mult: 2 },
  {
    stride: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
    k: 3,
    hw: 7,
    batch: 2,
    cin: 3,
    cout: 5,
    mult: 1,
  },
  {
    stride: 1,
    pad: [
      [0, 0],
      [4, 0],
      [1, 2],
      [0, 0],
    ],
    k: 3,
    hw: 8,
    batch: 2,
    cin: 5,
    cout: 3,
    mult: 2,
  },
  { stride: 2, pad: 1, k: 3, hw: 8, batch: 2, cin: 3, cout: 5, mult: 1, dims: 'ceil' },
  { stride: 3, pad: 'same', k: 3, hw: 8, batch: 2, cin: 3, cout: 5, mult: 1 },
  { stride: 3, pad: 'valid', k: 1, hw: 7, batch: 2, cin: 5, cout: 3, mult: 1 },
];
const CASES = [...GRID, ...EXTRA];
const label = (c: Case) => `s=${c.stride} pad=${JSON.stringify(c.pad)} k=${c.k} hw=${c.hw} n=${c.batch} cin=${c.cin} cout=${c.cout} m=${c.mult}${c.dims ? ` dims=${c.dims}` : ''}`;

function geometry(c: Case, depthwise: boolean) {
  const [kh, kw] = Array.isArray(c.k) ? c.k : [c.k, c.k];
  const [h, w] = Array.isArray(c.hw) ? c.hw : [c.hw, c.hw];
  const xShape: Shape4 = [c.batch, h, w, c.cin];
  const fShape: Shape4 = depthwise ? [kh, kw, c.cin, c.mult] : [kh, kw, c.cin, c.cout];
  const dyShape = forwardShape(depthwise, xShape, fShape, c.stride, c.pad, c.dims);
  const seed = CASES.indexOf(c) * 7 + (depthwise ? 3 : 0);
  return {
    xShape,
    fShape,
    dyShape,
    x: { data: seeded(sizeOf(xShape), seed + 1), shape: xShape },
    filter: { data: seeded(sizeOf(fShape), seed + 2), shape: fShape },
    dy: { data: seeded(sizeOf(dyShape), seed + 3), shape: dyShape },
  };
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  const report = registerWasmTrainingKernels();
  expect(report.failed).toEqual([]);
});

afterAll(() => {
  // The figures the report quotes.
  console.log('max relative error per kernel (wasm vs cpu):', JSON.stringify(worst));
});

describe('composed wasm kernels match the cpu backend', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('Conv2DBackpropFilter %s', async (_, c) => {
    const g = geometry(c, false);
    await compare('Conv2DBackpropFilter', { x: g.x, dy: g.dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dims, filterShape: g.fShape });
  });

  it.each(CASES.map((c) => [label(c), c] as const))('Conv2DBackpropInput %s', async (_, c) => {
    const g = geometry(c, false);
    await compare('Conv2DBackpropInput', { dy: g.dy, filter: g.filter }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dims, inputShape: g.xShape });
  });

  it.each(CASES.map((c) => [label(c), c] as const))('DepthwiseConv2dNativeBackpropFilter %s', async (_, c) => {
    const g = geometry(c, true);
    await compare('DepthwiseConv2dNativeBackpropFilter', { x: g.x, dy: g.dy }, { strides: c.stride, pad: c.pad, dilations: 1, dimRoundingMode: c.dims, filterShape: g.fShape });
  });

  it.each(CASES.map((c) => [label(c), c] as const))('DepthwiseConv2dNativeBackpropInput %s', async (_, c) => {
    const g = geometry(c, true);
    await compare('DepthwiseConv2dNativeBackpropInput', { dy: g.dy, filter: g.filter }, { strides: c.stride, pad: c.pad, dilations: 1, dimRoundingMode: c.dims, inputShape: g.xShape });
  });
});

describe('depthwise gradients with dilation 2 (stride 1)', () => {
  // The cpu backend's depthwise filter gradient ignores dilations, so check the adjoint identity
  // instead: for y = D(x, W) linear in each argument, <D(x, W), dy> = <x, dD/dx^T dy> = <W, dD/dW^T dy>,
  // with the forward D computed by the (trusted) forward kernel.
  for (const pad of ['same', 'valid'] as const) {
    it(`adjoint identity holds, pad=${pad}`, async () => {
      await tf.setBackend('wasm');
      const xShape: Shape4 = [2, 8, 7, 3];
      const fShape: Shape4 = [3, 3, 3, 2];
      const dyShape = forwardShape(true, xShape, fShape, 1, pad, undefined, 2);
      const [lhs, rhsX, rhsW] = tf.tidy(() => {
        const x = tf.tensor4d(seeded(sizeOf(xShape), 11), xShape);
        const w = tf.tensor4d(seeded(sizeOf(fShape), 12), fShape);
        const dy = tf.tensor4d(seeded(sizeOf(dyShape), 13), dyShape);
        const y = tf.depthwiseConv2d(x, w, 1, pad, 'NHWC', 2);
        const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides: 1, pad, dilations: 2, inputShape: xShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad, dilations: 2, filterShape: fShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [tf.sum(tf.mul(y, dy)), tf.sum(tf.mul(x, dx)), tf.sum(tf.mul(w, dw))];
      });
      const [l, rx, rw] = [lhs.dataSync()[0], rhsX.dataSync()[0], rhsW.dataSync()[0]];
      tf.dispose([lhs, rhsX, rhsW]);
      expect(Math.abs(l - rx)).toBeLessThanOrEqual(1e-4 * Math.abs(l) + 1e-5);
      expect(Math.abs(l - rw)).toBeLessThanOrEqual(1e-4 * Math.abs(l) + 1e-5);
    });
  }
});

describe('no leaks', () => {
  it('100 calls of each kernel leave tf.memory().numTensors and the wasm buffer count unchanged', async () => {
    await tf.setBackend('wasm');
    const c: Case = { stride: 2, pad: 'same', k: 3, hw: 7, batch: 2, cin: 3, cout: 5, mult: 2 };
    const g = geometry(c, false);
    const gd = geometry(c, true);
    const x = tf.tensor4d(g.x.data, g.xShape);
    const w = tf.tensor4d(g.filter.data, g.fShape);
    const dy = tf.tensor4d(g.dy.data, g.dyShape);
    const wd = tf.tensor4d(gd.filter.data, gd.fShape);
    const dyd = tf.tensor4d(gd.dy.data, gd.dyShape);
    const calls: Array<() => tf.Tensor> = [
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: g.fShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: g.xShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyd }, { strides: 2, pad: 'same', dilations: 1, filterShape: gd.fShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyd, filter: wd }, { strides: 2, pad: 'same', dilations: 1, inputShape: gd.xShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
    ];
    for (const call of calls) call().dispose(); // warm-up
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (let i = 0; i < 100; i++) for (const call of calls) call().dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(buffers);
    tf.dispose([x, w, dy, wd, dyd]);
  });
});

describe('registration', () => {
  it('registers all four, idempotently, and they are the kernels wasm runs', async () => {
    await tf.setBackend('wasm');
    const first = registerWasmTrainingKernels();
    const second = registerWasmTrainingKernels();
    for (const report of [first, second]) {
      expect(report.failed).toEqual([]);
      expect([...report.registered].sort()).toEqual([...FOUR].sort());
    }
    for (const name of FOUR) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('tf.grad through tf.conv2d and tf.depthwiseConv2d works on wasm and matches cpu', async () => {
    const xShape: Shape4 = [3, 8, 8, 3];
    const xData = seeded(sizeOf(xShape), 21);
    const wData = seeded(3 * 3 * 3 * 5, 22);
    const dwData = seeded(3 * 3 * 3 * 1, 23);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(xData, xShape);
        const w = tf.tensor4d(wData, [3, 3, 3, 5]);
        const dw = tf.tensor4d(dwData, [3, 3, 3, 1]);
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 2, 'same'), b as tf.Tensor4D, 1, 'same')));
        return tf.grads(f)([x, w, dw]);
      });
      const values = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      return values as Float32Array[];
    };
    const ref = await grads('cpu');
    const got = await grads('wasm');
    for (let i = 0; i < 3; i++) expect(relErr(ref[i], got[i])).toBeLessThanOrEqual(TOL);
  });

  it('a missing or changed building block puts that kernel in `failed`, naming it, without throwing', async () => {
    await tf.setBackend('wasm');
    const tile = tf.getKernel('Tile', 'wasm')!;
    tf.unregisterKernel('Tile', 'wasm');
    try {
      const report = registerWasmTrainingKernels();
      expect(report.registered).not.toContain('DepthwiseConv2dNativeBackpropFilter');
      const failure = report.failed.find((f) => f.kernel === 'DepthwiseConv2dNativeBackpropFilter');
      expect(failure?.reason).toMatch(/Tile/);
      expect(report.registered).toContain('Conv2DBackpropFilter');
      expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    } finally {
      tf.registerKernel(tile);
    }

    const reverse = tf.getKernel('Reverse', 'wasm')!;
    tf.unregisterKernel('Reverse', 'wasm');
    tf.registerKernel({ ...reverse, kernelFunc: ((args: unknown, extra: unknown) => reverse.kernelFunc(args as Parameters<typeof reverse.kernelFunc>[0]) ?? extra) as unknown as tf.KernelFunc });
    try {
      const report = registerWasmTrainingKernels();
      const failure = report.failed.find((f) => f.kernel === 'Conv2DBackpropInput');
      expect(failure?.reason).toMatch(/Reverse/);
      // The native Conv2DBackpropInput is put back, so training still works (slowly).
      expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    } finally {
      tf.unregisterKernel('Reverse', 'wasm');
      tf.registerKernel(reverse);
    }

    // A Conv2D that silently ignores its dilations: only the self-check can notice.
    const conv = tf.getKernel('Conv2D', 'wasm')!;
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel({ ...conv, kernelFunc: (args) => conv.kernelFunc({ ...args, attrs: { ...args.attrs, dilations: [1, 1] } }) });
    try {
      const report = registerWasmTrainingKernels();
      expect(report.failed.find((f) => f.kernel === 'Conv2DBackpropFilter')?.reason).toMatch(/self-check/);
      expect(report.registered).toContain('Conv2DBackpropInput'); // stride-1 convolution only: unaffected
    } finally {
      tf.unregisterKernel('Conv2D', 'wasm');
      tf.registerKernel(conv);
    }

    const restored = registerWasmTrainingKernels();
    expect(restored.failed).toEqual([]);
    expect([...restored.registered].sort()).toEqual([...FOUR].sort());
  });
});
