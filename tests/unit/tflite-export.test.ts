/**
 * The .tflite writer and exporter (src/engine/export/tflite/), read back with the hand-written
 * reader over the flatbuffers ByteBuffer API:
 * - a tiny conv-pool-flatten-dense model, every byte that matters computed by hand: identifier,
 *   schema version, operator codes and versions, tensor shapes, types and quantization, weight
 *   layouts (OHWI, [out,in]), int32 bias values and scales, options, buffer sizes and alignment;
 * - depthwise (quantized dimension 3, same bytes as Keras), global average pool as MEAN, int8 I/O,
 *   float32 export, and the refusals;
 * - end to end: the exported int8 file, run by a reference interpreter that reads everything from
 *   the file, gives bit-identical tensors to the engine's integer reference on the QuantizedModel,
 *   on a model using every exported op and on the shipped custom-cnn-mnist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { exportFloat32Tflite, exportInt8Tflite } from '../../src/engine/export/tflite/export';
import { convKernelToOhwi, denseKernelToOi } from '../../src/engine/export/tflite/from-graph';
import { isTflite, parseTflite } from '../../src/engine/export/tflite/reader';
import { BuiltinOperator, TensorType } from '../../src/engine/export/tflite/schema';
import { compileGraph } from '../../src/engine/graph/execute';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import type { Graph, GraphNode, WeightArray } from '../../src/engine/graph/ir';
import { prepareForInference } from '../../src/engine/graph/rewrite';
import { loadLayersModel } from '../../src/engine/models/load';
import { preprocessInto } from '../../src/engine/preprocess';
import { quantize } from '../../src/engine/quantize/affine';
import type { Range } from '../../src/engine/quantize/calibrate';
import { calibrateGraph } from '../../src/engine/quantize/calibrate-graph';
import { type QTensor, runInt8Graph } from '../../src/engine/quantize/int8-reference';
import { calibratedNodes, quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { mulberry32 } from '../../src/engine/train/data-order';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';
import { runTfliteReference } from './tflite-interpreter';

beforeAll(async () => {
  await initBackend('wasm');
});

const w = (shape: number[], values: number[]): WeightArray => ({ shape, values: new Float32Array(values) });
const f32 = (x: number) => Math.fround(x);

// ------------------------------------------------------------------ the tiny model, by hand

// conv 'c' 3x3x1 -> 2 filters, same, relu. Channel 0: 0.1..0.8 and 1.27 (scale 0.01 -> 10..80, 127);
// channel 1: -0.254 then 0.002..0.016 (scale 0.002 -> -127, 1..8). Keras interleaves the channels.
const k0 = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.27];
const k1 = [-0.254, 0.002, 0.004, 0.006, 0.008, 0.01, 0.012, 0.014, 0.016];
// dense 'd' [8,3]: w[0][0] = 0.635 (scale 0.005 -> 127), else w[i][o] = 0.005 (i + o) -> i + o.
const dense = Array.from({ length: 24 }, (_, k) => (k === 0 ? 0.635 : 0.005 * (Math.floor(k / 3) + (k % 3))));

const tiny: Graph = {
  name: 'tiny',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [4, 4, 1] },
    {
      name: 'c',
      op: 'conv2d',
      inputs: ['in'],
      kernel: w(
        [3, 3, 1, 2],
        k0.flatMap((v, i) => [v, k1[i]]),
      ),
      bias: w([2], [0.1, -0.05]),
      strides: [1, 1],
      padding: 'same',
      activation: 'relu',
    },
    { name: 'p', op: 'maxpool', inputs: ['c'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
    { name: 'f', op: 'flatten', inputs: ['p'] },
    { name: 'd', op: 'dense', inputs: ['f'], kernel: w([8, 3], dense), bias: w([3], [0.2, 0, -0.2]), activation: 'linear' },
  ],
};
// in: [0, 2.55] -> scale 0.01, zp -128; c: [0, 5.1] -> 0.02, -128 (p, f inherit); d: [-1.28, 3.82] -> 0.02, -64.
const tinyRanges: Record<string, Range> = { in: { min: 0, max: 2.55 }, c: { min: 0, max: 5.1 }, d: { min: -1.28, max: 3.82 } };

describe('tiny int8 model, by hand', () => {
  const q = quantizeGraph(tiny, 'int8', 'per-channel', tinyRanges);
  const a = exportInt8Tflite(q);
  const m = parseTflite(a.bytes);
  const sg = m.subgraphs[0];
  const t = (name: string) => sg.tensors.find((x) => x.name === name)!;
  const data = (name: string) => m.buffers[t(name).buffer].data;

  it('is a schema-3 TFL3 file with the empty buffer 0 and 16-byte aligned data', () => {
    expect(isTflite(a.bytes)).toBe(true);
    expect(String.fromCharCode(...a.bytes.subarray(4, 8))).toBe('TFL3');
    expect(m.version).toBe(3);
    expect(m.subgraphs).toHaveLength(1);
    expect(m.buffers[0].length).toBe(0);
    expect(m.buffers.length).toBe(6);
    for (const b of m.buffers.slice(1)) expect(b.offset % 16).toBe(0);
    expect(m.buffers.slice(1).map((b) => b.length)).toEqual([18, 8, 8, 24, 12]);
  });

  it('lists its operators with TFLite codes and int8 versions, in execution order', () => {
    expect(m.operatorCodes).toEqual([
      { deprecatedBuiltinCode: 114, builtinCode: 114, version: 1 },
      { deprecatedBuiltinCode: 3, builtinCode: 3, version: 3 },
      { deprecatedBuiltinCode: 17, builtinCode: 17, version: 2 },
      { deprecatedBuiltinCode: 22, builtinCode: 22, version: 1 },
      { deprecatedBuiltinCode: 9, builtinCode: 9, version: 4 },
      { deprecatedBuiltinCode: 6, builtinCode: 6, version: 2 },
    ]);
    expect(sg.operators.map((o) => o.opName)).toEqual(['QUANTIZE', 'CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'DEQUANTIZE']);
    const names = sg.tensors.map((x) => x.name);
    expect(names).toEqual(['in/float', 'in', 'c/kernel', 'c/bias', 'c', 'p', 'f/shape', 'f', 'd/kernel', 'd/bias', 'd', 'd/float']);
    const idx = (n: string) => names.indexOf(n);
    expect(sg.operators[1].inputs).toEqual([idx('in'), idx('c/kernel'), idx('c/bias')]);
    expect(sg.operators[3].inputs).toEqual([idx('p'), idx('f/shape')]);
    expect(sg.inputs).toEqual([idx('in/float')]);
    expect(sg.outputs).toEqual([idx('d/float')]);
  });

  it('stores tensor shapes, types and activation quantization', () => {
    expect(t('in/float')).toMatchObject({ shape: [1, 4, 4, 1], type: TensorType.FLOAT32, buffer: 0, quantization: undefined });
    const act = (name: string, shape: number[], scale: number, zp: number) => {
      expect(t(name).shape).toEqual(shape);
      expect(t(name).type).toBe(TensorType.INT8);
      expect(t(name).quantization!.scale).toEqual([f32(scale)]);
      expect(t(name).quantization!.zeroPoint).toEqual([zp]);
    };
    act('in', [1, 4, 4, 1], 0.01, -128);
    act('c', [1, 4, 4, 2], 0.02, -128);
    act('p', [1, 2, 2, 2], 0.02, -128);
    act('f', [1, 8], 0.02, -128);
    act('d', [1, 3], 0.02, -64);
    expect(t('d/float')).toMatchObject({ shape: [1, 3], type: TensorType.FLOAT32 });
  });

  it('writes the conv kernel OHWI with per-channel scales on axis 0 and the int32 bias', () => {
    const k = t('c/kernel');
    expect(k).toMatchObject({ shape: [2, 3, 3, 1], type: TensorType.INT8 });
    expect(k.quantization).toEqual({ scale: [f32(0.01), f32(0.002)], zeroPoint: [0, 0], quantizedDimension: 0 });
    expect(Array.from(new Int8Array(data('c/kernel').slice().buffer))).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 127, -127, 1, 2, 3, 4, 5, 6, 7, 8]);
    const b = t('c/bias');
    expect(b).toMatchObject({ shape: [2], type: TensorType.INT32 });
    // bias scale = input scale x kernel scale: 0.01 x 0.01 and 0.01 x 0.002; 0.1 / 1e-4, -0.05 / 2e-5.
    const [s0, s1] = b.quantization!.scale;
    expect(s0 / 1e-4).toBeCloseTo(1, 6);
    expect(s1 / 2e-5).toBeCloseTo(1, 6);
    expect([s0, s1]).toEqual([f32(q.weights.c.inputScale! * q.weights.c.kernelScales[0]), f32(q.weights.c.inputScale! * q.weights.c.kernelScales[1])]);
    expect(Array.from(new Int32Array(data('c/bias').slice().buffer))).toEqual([1000, -2500]);
  });

  it('writes the dense kernel [out,in] per tensor and its bias', () => {
    expect(t('d/kernel')).toMatchObject({ shape: [3, 8], type: TensorType.INT8, quantization: { scale: [f32(0.005)], zeroPoint: [0], quantizedDimension: 0 } });
    const expected = Array.from({ length: 24 }, (_, k) => (k === 0 ? 127 : (k % 8) + Math.floor(k / 8)));
    expect(Array.from(new Int8Array(data('d/kernel').slice().buffer))).toEqual(expected);
    expect(t('d/bias').quantization!.scale).toEqual([f32(0.02 * 0.005)]);
    expect(Array.from(new Int32Array(data('d/bias').slice().buffer))).toEqual([2000, 0, -2000]);
  });

  it('writes the options: conv SAME stride 1 RELU, pool VALID 2x2/2, reshape [1,8], FC NONE', () => {
    expect(sg.operators[1].options).toEqual({ padding: 0, stride_w: 1, stride_h: 1, fused_activation_function: 1, dilation_w_factor: 1, dilation_h_factor: 1 });
    expect(sg.operators[2].options).toEqual({ padding: 1, stride_w: 2, stride_h: 2, filter_width: 2, filter_height: 2, fused_activation_function: 0 });
    expect(sg.operators[3].options).toEqual({ new_shape: [1, 8] });
    expect(Array.from(new Int32Array(data('f/shape').slice().buffer))).toEqual([1, 8]);
    expect(sg.operators[4].options).toEqual({ fused_activation_function: 0, weights_format: 0, keep_num_dims: 0 });
  });

  it('summarises the file', () => {
    expect(a.summary).toMatchObject({ sizeBytes: a.bytes.length, constantBytes: 70, kernelElements: 42, zeroKernelElements: 0, tensors: 12 });
    expect(a.summary.operators).toEqual({ QUANTIZE: 1, CONV_2D: 1, MAX_POOL_2D: 1, RESHAPE: 1, FULLY_CONNECTED: 1, DEQUANTIZE: 1 });
    expect(a.summary.input).toEqual({ shape: [1, 4, 4, 1], type: 'float32' });
    expect(a.summary.output).toEqual({ shape: [1, 3], type: 'float32' });
  });

  it('with int8 I/O, takes and gives the int8 tensors directly', () => {
    const b = parseTflite(exportInt8Tflite(q, { io: 'int8' }).bytes).subgraphs[0];
    expect(b.operators.map((o) => o.opName)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED']);
    expect(b.tensors[b.inputs[0]]).toMatchObject({ name: 'in', type: TensorType.INT8, quantization: { scale: [f32(0.01)], zeroPoint: [-128] } });
    expect(b.tensors[b.outputs[0]]).toMatchObject({ name: 'd', type: TensorType.INT8, quantization: { zeroPoint: [-64] } });
  });
});

describe('float32 export', () => {
  it('keeps float weights in TFLite layouts, version-1 operators, no quantization', () => {
    const a = exportFloat32Tflite(tiny);
    const m = parseTflite(a.bytes);
    const sg = m.subgraphs[0];
    expect(sg.operators.map((o) => o.opName)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED']);
    expect(m.operatorCodes.every((c) => c.version === 1)).toBe(true);
    expect(sg.tensors.every((x) => x.quantization === undefined)).toBe(true);
    const k = sg.tensors.find((x) => x.name === 'c/kernel')!;
    expect(k.type).toBe(TensorType.FLOAT32);
    const kv = new Float32Array(m.buffers[k.buffer].data.slice().buffer);
    expect(Array.from(kv)).toEqual([...k0, ...k1].map(f32));
    const d = sg.tensors.find((x) => x.name === 'd/kernel')!;
    expect(Array.from(new Float32Array(m.buffers[d.buffer].data.slice().buffer))).toEqual(Array.from(denseKernelToOi(tiny.nodes[4].op === 'dense' ? tiny.nodes[4].kernel.values : new Float32Array(), [8, 3])));
    expect(a.summary.input.type).toBe('float32');
  });

  it('adds a SOFTMAX after a layer with a softmax activation; int8 refuses it', () => {
    const g: Graph = { ...tiny, nodes: tiny.nodes.map((n) => (n.name === 'd' ? { ...n, activation: 'softmax' } : n)) as GraphNode[] };
    const sg = parseTflite(exportFloat32Tflite(g).bytes).subgraphs[0];
    expect(sg.operators.map((o) => o.opName).slice(-2)).toEqual(['FULLY_CONNECTED', 'SOFTMAX']);
    expect(sg.operators.at(-1)!.options).toEqual({ beta: 1 });
    const q = quantizeGraph(g, 'int8', 'per-channel', tinyRanges);
    expect(() => exportInt8Tflite(q)).toThrow(/softmax/);
  });

  it('refuses weight-only quantized models as int8 and unfolded BatchNorm', () => {
    expect(() => exportInt8Tflite(quantizeGraph(tiny, 'weight-int8', 'per-channel'))).toThrow(expect.objectContaining({ code: 'export-unsupported' }));
    const bn: Graph = {
      ...tiny,
      nodes: [
        ...tiny.nodes.slice(0, 2),
        { name: 'bn', op: 'batchnorm', inputs: ['c'], gamma: w([2], [1, 1]), beta: w([2], [0, 0]), mean: w([2], [0, 0]), variance: w([2], [1, 1]), epsilon: 1e-3, momentum: 0.99 },
        { ...tiny.nodes[2], inputs: ['bn'] } as GraphNode,
        ...tiny.nodes.slice(3),
      ],
    };
    expect(() => exportFloat32Tflite(bn)).toThrow(/BatchNormalization/);
  });
});

describe('layouts', () => {
  it('conv OHWI and dense [out,in] transposes match index by index', () => {
    const v = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
    const o = convKernelToOhwi(v, [2, 3, 4, 5]);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < 4; i++) for (let c = 0; c < 5; c++) expect(o[((c * 2 + y) * 3 + x) * 4 + i]).toBe(v[((y * 3 + x) * 4 + i) * 5 + c]);
    const d = denseKernelToOi(
      Int8Array.from({ length: 6 }, (_, i) => i),
      [2, 3],
    );
    expect(Array.from(d)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('depthwise keeps the Keras bytes as [1,kh,kw,cin*mult], per-channel on axis 3; GAP is MEAN over [1,2]', () => {
    const rand = mulberry32(3);
    const g: Graph = {
      name: 'dw',
      output: 'd',
      nodes: [
        { name: 'in', op: 'input', inputs: [], shape: [5, 5, 2] },
        {
          name: 'dw',
          op: 'depthwise',
          inputs: ['in'],
          kernel: w(
            [3, 3, 2, 2],
            Array.from({ length: 36 }, () => rand() - 0.5),
          ),
          bias: w([4], [0, 0.1, 0.2, 0.3]),
          strides: [2, 2],
          padding: 'same',
          activation: 'relu6',
        },
        { name: 'gap', op: 'gap', inputs: ['dw'] },
        { name: 'd', op: 'dense', inputs: ['gap'], kernel: w([4, 2], [1, -1, 0.5, 0.25, 0, 2, -0.5, 1]), activation: 'linear' },
      ],
    };
    const q = quantizeGraph(g, 'int8', 'per-channel', { in: { min: -1, max: 1 }, dw: { min: 0, max: 6 }, gap: { min: 0, max: 6 }, d: { min: -4, max: 4 } });
    const m = parseTflite(exportInt8Tflite(q).bytes);
    const sg = m.subgraphs[0];
    const k = sg.tensors.find((x) => x.name === 'dw/kernel')!;
    expect(k.shape).toEqual([1, 3, 3, 4]);
    expect(k.quantization!.quantizedDimension).toBe(3);
    expect(k.quantization!.scale).toEqual(q.weights.dw.kernelScales.map(f32));
    expect(Array.from(new Int8Array(m.buffers[k.buffer].data.slice().buffer))).toEqual(Array.from(q.weights.dw.kernel));
    const dwOp = sg.operators.find((o) => o.opName === 'DEPTHWISE_CONV_2D')!;
    expect(dwOp.options).toMatchObject({ depth_multiplier: 2, stride_h: 2, stride_w: 2, padding: 0, fused_activation_function: 3 });
    const mean = sg.operators.find((o) => o.op === BuiltinOperator.MEAN)!;
    expect(mean.options).toEqual({ keep_dims: 0 });
    const axes = sg.tensors[mean.inputs[1]];
    expect(axes).toMatchObject({ type: TensorType.INT32, shape: [2] });
    expect(Array.from(new Int32Array(m.buffers[axes.buffer].data.slice().buffer))).toEqual([1, 2]);
    expect(sg.tensors[mean.outputs[0]].shape).toEqual([1, 4]);
    // A dense layer without bias gets a zero int32 bias.
    const db = sg.tensors.find((x) => x.name === 'd/bias')!;
    expect(Array.from(new Int32Array(m.buffers[db.buffer].data.slice().buffer))).toEqual([0, 0]);
  });
});

// ------------------------------------------------------------------ end to end, bit for bit

/** Min-max ranges of every calibrated node over x, from the float graph. */
async function floatRanges(g: Graph, x: tf.Tensor): Promise<Record<string, Range>> {
  const compiled = compileGraph(g);
  const names = calibratedNodes(g);
  const outs = compiled.capture(x, names);
  compiled.dispose();
  const ranges: Record<string, Range> = {};
  for (const n of names) {
    const v = Array.from(await outs[n].data());
    ranges[n] = { min: Math.min(...v), max: Math.max(...v) };
  }
  tf.dispose(Object.values(outs));
  return ranges;
}

function expectSameAsReference(g: Graph, refOuts: Map<string, QTensor>, fileOuts: Map<string, unknown>): number {
  let compared = 0;
  for (const n of g.nodes) {
    const got = fileOuts.get(n.name) as QTensor | undefined;
    if (!got) continue;
    const want = refOuts.get(n.name)!;
    expect(got.shape, n.name).toEqual(want.shape);
    expect(Array.from(got.data), n.name).toEqual(Array.from(want.data));
    compared++;
  }
  return compared;
}

describe('exported int8 file = integer reference on the QuantizedModel, bit for bit', () => {
  it('on a model with every exported op (conv, depthwise, add, avg/max pool, GAP, flatten, dense)', async () => {
    const rand = mulberry32(11);
    const r = (shape: number[], amp: number) =>
      w(
        shape,
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * amp),
      );
    const g: Graph = {
      name: 'all-ops',
      output: 'out',
      nodes: [
        { name: 'in', op: 'input', inputs: [], shape: [8, 8, 3] },
        { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: r([3, 3, 3, 4], 0.5), bias: r([4], 0.2), strides: [1, 1], padding: 'same', activation: 'relu' },
        { name: 'dw', op: 'depthwise', inputs: ['c1'], kernel: r([3, 3, 4, 1], 0.5), bias: r([4], 0.2), strides: [2, 2], padding: 'same', activation: 'relu6' },
        { name: 'pw', op: 'conv2d', inputs: ['dw'], kernel: r([1, 1, 4, 4], 0.5), bias: r([4], 0.2), strides: [1, 1], padding: 'valid', activation: 'linear' },
        { name: 'add', op: 'add', inputs: ['dw', 'pw'], activation: 'relu' },
        { name: 'ap', op: 'avgpool', inputs: ['add'], pool: [2, 2], strides: [1, 1], padding: 'valid' },
        { name: 'mp', op: 'maxpool', inputs: ['ap'], pool: [2, 2], strides: [1, 1], padding: 'same' },
        { name: 'gap', op: 'gap', inputs: ['mp'] },
        { name: 'f', op: 'flatten', inputs: ['mp'] },
        { name: 'd1', op: 'dense', inputs: ['f'], kernel: r([36, 4], 0.3), bias: r([4], 0.1), activation: 'relu' },
        { name: 'add2', op: 'add', inputs: ['gap', 'd1'], activation: 'linear' },
        { name: 'out', op: 'dense', inputs: ['add2'], kernel: r([4, 5], 0.5), bias: r([5], 0.1), activation: 'linear' },
      ],
    };
    const x = tf.randomUniform([16, 8, 8, 3], -1, 1, 'float32', 5);
    const q = quantizeGraph(g, 'int8', 'per-channel', await floatRanges(g, x));
    const xs = await x.data();
    x.dispose();
    const file = exportInt8Tflite(q).bytes;
    const pIn = q.activations.in;
    for (let i = 0; i < 4; i++) {
      const img = Float32Array.from(xs.subarray(i * 192, (i + 1) * 192));
      const fileOuts = runTfliteReference(file, img);
      const xq = (fileOuts.get('in') as QTensor).data;
      expect(Array.from(xq)).toEqual(Array.from(Int8Array.from(img, (v) => quantize(v, pIn))));
      expect(expectSameAsReference(g, runInt8Graph(q, xq, [1, 8, 8, 3]), fileOuts)).toBe(g.nodes.length);
    }
  });

  it('on the shipped custom-cnn-mnist, calibrated on 64 training images', async () => {
    const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
    const entry = index.models.find((e) => e.id === 'custom-cnn-mnist')!;
    const read = dirReader(PUBLIC);
    const { model } = await loadLayersModel(entry.path, read);
    const g = prepareForInference(graphFromLayersModel(model));
    model.dispose();
    const d = getDataset(entry.dataset);
    const train = await loadDataset(d, 'train', (n) => read(`data/${d.id}/${n}`), { count: 64 });
    const test = await loadDataset(d, 'test', (n) => read(`data/${d.id}/${n}`), { count: 2 });
    const q = quantizeGraph(g, 'int8', 'per-channel', await calibrateGraph(g, train, entry.preprocessing, { method: 'minmax', samples: 64 }));
    const file = exportInt8Tflite(q, { io: 'int8' }).bytes;
    const per = 28 * 28;
    for (let i = 0; i < 2; i++) {
      const x = new Float32Array(per);
      preprocessInto(test.pixels.subarray(i * per, (i + 1) * per), 1, entry.preprocessing, x, 0);
      const xq = Int8Array.from(x, (v) => quantize(v, q.activations[g.nodes[0].name]));
      const compared = expectSameAsReference(g, runInt8Graph(q, xq, [1, 28, 28, 1]), runTfliteReference(file, xq));
      expect(compared).toBe(g.nodes.length);
    }
  }, 60_000);
});
