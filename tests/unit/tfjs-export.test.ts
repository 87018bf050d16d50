/**
 * The compressed model as a zipped tfjs LayersModel (src/engine/export/tfjs-model.ts): unzipped,
 * it passes the studio's own validator, loads with tf.loadLayersModel, and predicts what the
 * compressed model in memory predicts (float32 pruned, int8 dequantized as tfjs runs it, float16
 * stored as half precision, and a residual graph whose Add has a fused ReLU).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportTfjsModel } from '../../src/engine/export/tfjs-model';
import { compileGraph, type CompiledGraph } from '../../src/engine/graph/execute';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import type { Graph } from '../../src/engine/graph/ir';
import { prepareForInference } from '../../src/engine/graph/rewrite';
import { loadLayersModel, modelFromValidated } from '../../src/engine/models/load';
import { applyMasks, unstructuredMasks } from '../../src/engine/prune/unstructured';
import { calibrateGraph } from '../../src/engine/quantize/calibrate-graph';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { compileQuantized } from '../../src/engine/quantize/simulate';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex, ImageDataset } from '../../src/engine/types';
import { validateLayersModel } from '../../src/engine/validate/layers-model';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;

/** 16 seeded images in 0..1 (the baseline's scale preprocessing gives that range). */
function images(shape: [number, number, number], n = 16): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', 7) as tf.Tensor4D;
}

async function pruned(): Promise<Graph> {
  const { model } = await loadLayersModel(mnist.path, dirReader(PUBLIC));
  try {
    const g = graphFromLayersModel(model);
    return prepareForInference(applyMasks(g, unstructuredMasks(g, { kind: 'per-layer', sparsity: 0.5, layerKinds: ['conv', 'depthwise', 'dense'], spareFirstLast: false, overrides: {}, n: 2, m: 4 })));
  } finally {
    model.dispose();
  }
}

/** Unzips, validates and loads the export; returns its predictions on x and the parts. */
async function reload(zip: Uint8Array, x: tf.Tensor) {
  const files = unzipSync(zip);
  expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
  const v = validateLayersModel(files['model.json'], 'model.json', new Map([['weights.bin', files['weights.bin']]]));
  const model = await modelFromValidated(v);
  try {
    const y = model.predict(x) as tf.Tensor;
    const out = await y.data();
    y.dispose();
    return {
      out: out as Float32Array,
      json: JSON.parse(new TextDecoder().decode(files['model.json'])) as {
        weightsManifest: Array<{ weights: Array<{ quantization?: { dtype: string } }> }>;
        modelTopology: { config: { layers: Array<{ class_name: string; name: string }> } };
      },
      weights: files['weights.bin'],
    };
  } finally {
    model.dispose();
  }
}

async function logits(c: CompiledGraph, x: tf.Tensor): Promise<Float32Array> {
  const y = c.predict(x);
  try {
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
    c.dispose();
  }
}

function expectSame(a: Float32Array, b: Float32Array, classes: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(1e-5);
  const argmax = (v: Float32Array, r: number) => v.subarray(r * classes, (r + 1) * classes).reduce((best, x, k, arr) => (x > arr[best] ? k : best), 0);
  for (let r = 0; r < a.length / classes; r++) expect(argmax(a, r)).toBe(argmax(b, r));
}

const params = (g: Graph) => g.nodes.reduce((s, n) => s + Object.values(n).reduce((t: number, v) => t + (v && typeof v === 'object' && 'values' in v ? (v as { values: Float32Array }).values.length : 0), 0), 0);

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
});

describe('tfjs model export', () => {
  it('a 50% pruned float32 model: validator, tf.loadLayersModel, same predictions; the zip holds what the zeros are worth', async () => {
    const g = await pruned();
    const x = images([28, 28, 1]);
    const before = tf.memory().numTensors;
    const e = await exportTfjsModel(g);
    expect(tf.memory().numTensors).toBe(before);
    const back = await reload(e.zip, x);
    expectSame(back.out, await logits(compileGraph(g), x), 10);
    expect(e.weightFormat).toBe('float32');
    expect(e.weightBytes).toBe(4 * params(g));
    expect(back.weights.length).toBe(e.weightBytes);
    // About half of the kernel weights are zero; deflate stores them nearly free.
    expect(e.zip.length).toBeLessThan(0.7 * e.weightBytes);
    x.dispose();
  }, 60_000);

  it('int8 (per channel) exports the dequantized weights tfjs computes with; float16 stores half precision exactly', async () => {
    const g = await pruned();
    const x = images([28, 28, 1]);
    const calib: ImageDataset = { id: 'mnist', split: 'train', count: 64, shape: [28, 28, 1], numClasses: 10, pixels: Uint8Array.from({ length: 64 * 784 }, (_, i) => (i * 37) % 256), labels: new Uint8Array(64), classNames: [] };
    const ranges = await calibrateGraph(g, calib, mnist.preprocessing, { method: 'minmax', samples: 64 });
    const q8 = quantizeGraph(g, 'int8', 'per-channel', ranges);
    const int8 = await exportTfjsModel(g, q8);
    const back8 = await reload(int8.zip, x);
    expectSame(back8.out, await logits(compileQuantized(q8, { quantizeActivations: false }), x), 10);
    expect(int8.note).toContain('dequantized');

    const q16 = quantizeGraph(g, 'float16', 'per-channel');
    const f16 = await exportTfjsModel(g, q16);
    const back16 = await reload(f16.zip, x);
    expect(f16.weightFormat).toBe('float16');
    expect(f16.weightBytes).toBe(2 * params(g));
    expect(back16.json.weightsManifest[0].weights.every((w) => w.quantization?.dtype === 'float16')).toBe(true);
    // tfjs widens the stored halves to exactly the values the run measured with.
    expectSame(back16.out, await logits(compileQuantized(q16), x), 10);
    x.dispose();
  }, 60_000);

  it('a residual graph: the fused Add + ReLU is written as Add and Activation, with the same predictions', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }).apply(a) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(b) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'res' }).apply([a, bn]) as tf.SymbolicTensor;
    const act = tf.layers.activation({ activation: 'relu', name: 'res_act' }).apply(sum) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu6', name: 'dw' }).apply(act) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'fc' }).apply(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(dw) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const g = prepareForInference(graphFromLayersModel(model));
    model.dispose();
    expect(g.nodes.find((n) => n.name === 'res')).toMatchObject({ op: 'add', activation: 'relu' });
    const x = images([8, 8, 3], 8);
    const e = await exportTfjsModel(g);
    const back = await reload(e.zip, x);
    const layers = back.json.modelTopology.config.layers.map((l) => `${l.class_name}:${l.name}`);
    expect(layers).toContain('Add:res');
    expect(layers).toContain('Activation:res_relu');
    expectSame(back.out, await logits(compileGraph(g), x), 3);
    x.dispose();
  }, 60_000);
});
