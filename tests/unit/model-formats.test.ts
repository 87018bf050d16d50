/**
 * The model formats a user can bring (src/engine/models/formats/), netron-style: a table of
 * fixture files (tests/fixtures/formats/, made once by tools/fixtures/make_formats.py with torch and
 * h5py and by tools/fixtures/make-tflite.ts), each with the format its bytes must be detected as
 * and either the accuracy it must evaluate to (torch's own, on MNIST test records 0-499, with
 * torch's logits for records 0-3) or the exact error it must give. Then:
 *   - ONNX against an independent runtime (onnxruntime-web): the same logits within 1e-4;
 *   - each format's CNN compressed to a real int8 .tflite that agrees bit for bit with the
 *     engine's integer reference on the quantized model, as the shipped baselines do (a final
 *     softmax left out, as the compress job's quantize stage leaves it out).
 * mnist-dw (depthwise, ReLU6, a final softmax; torch's `view(x.size(0), -1)` with a dynamic
 * batch, which exports Shape/Gather/Unsqueeze/Concat/Reshape) covers what the other two do not:
 * ONNX depthwise Conv, Reshape and Softmax; TFLite DEPTHWISE_CONV_2D, fused RELU6 and SOFTMAX;
 * Keras DepthwiseConv2D and a softmax Dense.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { predictLogits } from '../../src/engine/evaluate';
import { exportInt8Tflite } from '../../src/engine/export/tflite/export';
import { float32TfliteModel } from '../../src/engine/export/tflite/from-graph';
import type { BuiltinOperatorCode } from '../../src/engine/export/tflite/schema';
import { writeTflite } from '../../src/engine/export/tflite/writer';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import { prepareForInference, withoutFinalSoftmax } from '../../src/engine/graph/rewrite';
import { openUserModel, type ModelFile } from '../../src/engine/jobs/user-model';
import { PROPOSAL_IMAGES } from '../../src/engine/choices/input-scaling';
import { proposeScaling } from '../../src/engine/jobs/propose-scaling';
import { detectFormat } from '../../src/engine/models/formats/registry';
import { loadLayersModel } from '../../src/engine/models/load';
import { preprocessInto } from '../../src/engine/preprocess';
import { quantize } from '../../src/engine/quantize/affine';
import { calibrateGraph } from '../../src/engine/quantize/calibrate-graph';
import { type QTensor, runInt8Graph } from '../../src/engine/quantize/int8-reference';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import type { ImageDataset, Preprocessing } from '../../src/engine/types';
import { buildOnnx, tinyOnnx } from '../../tools/fixtures/onnx-builder';
import { smallGraph, smallQuantized } from '../fixtures/small-graph';
import { dirReader, PUBLIC, ROOT } from './node-files';
import { runTfliteReference } from './tflite-interpreter';

const DIR = join(ROOT, 'tests/fixtures/formats');
const fixture = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const REF = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as Record<string, { preprocessing: 'scale' | 'standardize'; evalCount: number; accuracy: number; logits: number[][] }>;
const PREP: Record<'scale' | 'standardize', Preprocessing> = { scale: { kind: 'scale', scale: 1 / 255 }, standardize: { kind: 'standardize', mean: [33.3184], std: [78.5675] } };
const read = dirReader(PUBLIC);

let test500: ImageDataset;

beforeAll(async () => {
  await initBackend('wasm');
  ort.env.wasm.numThreads = 1;
  test500 = await loadDataset(getDataset('mnist'), 'test', (n) => read(`data/mnist/${n}`), { first: 0, count: 500 });
}, 60_000);

function open(files: ModelFile[], preprocessing?: Preprocessing) {
  return openUserModel({ id: 'upload-format', dataset: 'mnist', files, preprocessing }, read);
}

const accepted: Array<{ file: string; format: string; model: string; logitTol: number }> = [
  { file: 'mnist-cnn.onnx', format: 'onnx', model: 'mnist-cnn', logitTol: 1e-4 },
  { file: 'mnist-resnet.onnx', format: 'onnx', model: 'mnist-resnet', logitTol: 1e-4 },
  { file: 'mnist-cnn.keras', format: 'keras', model: 'mnist-cnn', logitTol: 1e-4 },
  { file: 'mnist-resnet.keras', format: 'keras', model: 'mnist-resnet', logitTol: 1e-4 },
  { file: 'mnist-cnn.h5', format: 'keras-h5', model: 'mnist-cnn', logitTol: 1e-4 },
  // Keras 3's model.save('x.h5'): weights named by their paths, "sequential/conv2d/kernel".
  { file: 'mnist-cnn-keras3.h5', format: 'keras-h5', model: 'mnist-cnn', logitTol: 1e-4 },
  { file: 'mnist-cnn.tflite', format: 'tflite', model: 'mnist-cnn', logitTol: 1e-4 },
  { file: 'mnist-resnet.tflite', format: 'tflite', model: 'mnist-resnet', logitTol: 1e-4 },
  // mnist-dw ends in a softmax: its "logits" are torch's probabilities.
  { file: 'mnist-dw.onnx', format: 'onnx', model: 'mnist-dw', logitTol: 1e-4 },
  { file: 'mnist-dw.keras', format: 'keras', model: 'mnist-dw', logitTol: 1e-4 },
  { file: 'mnist-dw.tflite', format: 'tflite', model: 'mnist-dw', logitTol: 1e-4 },
  // float16 weights: rounded, so the logits move by up to ~1e-3.
  { file: 'mnist-cnn-converter.tflite', format: 'tflite', model: 'mnist-cnn', logitTol: 5e-3 },
];

describe("format fixtures load and evaluate to their framework's accuracy", () => {
  for (const c of accepted) {
    it(`${c.file}: detected as ${c.format}, ${REF[c.model].accuracy} on MNIST test 0-499 as torch`, async () => {
      const bytes = fixture(c.file);
      expect(detectFormat(bytes)?.id).toBe(c.format);
      // The name plays no part: the same bytes under a misleading name are read the same way.
      const ref = REF[c.model];
      const m = open([{ name: 'renamed.bin', bytes }], PREP[ref.preprocessing]);
      expect(m.summary.format).toBe(c.format);
      const tensors = tf.memory().numTensors;
      const { model } = await loadLayersModel(m.entry.path, m.read);
      const logits = await predictLogits(model, test500, m.entry.preprocessing, 0, ref.evalCount);
      model.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      let right = 0;
      for (let i = 0; i < ref.evalCount; i++) {
        const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
        if (row.indexOf(Math.max(...row)) === test500.labels[i]) right++;
      }
      expect(right / ref.evalCount).toBe(ref.accuracy);
      for (let i = 0; i < 4; i++) for (let k = 0; k < 10; k++) expect(Math.abs(logits[i * 10 + k] - ref.logits[i][k])).toBeLessThan(c.logitTol);
    }, 60_000);
  }
});

describe('ONNX against onnxruntime-web (an independent runtime)', () => {
  for (const name of ['mnist-cnn', 'mnist-resnet', 'mnist-dw']) {
    it(`${name}.onnx: the same logits within 1e-4 on 8 test images`, async () => {
      const bytes = fixture(`${name}.onnx`);
      const prep = PREP[REF[name].preprocessing];
      const m = open([{ name: `${name}.onnx`, bytes }], prep);
      const { model } = await loadLayersModel(m.entry.path, m.read);
      const ours = await predictLogits(model, test500, prep, 0, 8);
      model.dispose();
      const nchw = new Float32Array(8 * 784);
      preprocessInto(test500.pixels.subarray(0, 8 * 784), 1, prep, nchw, 0); // one channel: NHWC = NCHW
      const session = await ort.InferenceSession.create(bytes);
      // One image per run: mnist-cnn.onnx was exported with a fixed batch of 1.
      const theirs = new Float32Array(80);
      for (let i = 0; i < 8; i++) theirs.set((await session.run({ input: new ort.Tensor('float32', nchw.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) })).logits.data as Float32Array, i * 10);
      await session.release();
      expect(theirs.length).toBe(80);
      expect(Math.max(...Array.from(ours, (v, i) => Math.abs(v - theirs[i])))).toBeLessThan(1e-4);
    }, 60_000);
  }
});

describe('imported models compress to a real int8 .tflite, bit for bit with the integer reference', () => {
  for (const file of ['mnist-cnn.onnx', 'mnist-resnet.keras', 'mnist-cnn.tflite', 'mnist-dw.keras', 'mnist-dw.tflite']) {
    it(`${file}`, async () => {
      const ref = REF[file.split('.')[0]];
      const prep = PREP[ref.preprocessing];
      const m = open([{ name: file, bytes: fixture(file) }], prep);
      const { model } = await loadLayersModel(m.entry.path, m.read);
      const withSoftmax = prepareForInference(graphFromLayersModel(model));
      model.dispose();
      const g = withoutFinalSoftmax(withSoftmax);
      const softmaxes = (x: typeof g) => x.nodes.filter((n) => 'activation' in n && n.activation === 'softmax').length;
      expect(softmaxes(withSoftmax)).toBe(file.startsWith('mnist-dw') ? 1 : 0);
      expect(softmaxes(g)).toBe(0);
      const train = await loadDataset(getDataset('mnist'), 'train', (n) => read(`data/mnist/${n}`), { count: 64 });
      const q = quantizeGraph(g, 'int8', 'per-channel', await calibrateGraph(g, train, prep, { method: 'minmax', samples: 64 }));
      const bytes = exportInt8Tflite(q, { io: 'int8' }).bytes;
      for (let i = 0; i < 2; i++) {
        const x = new Float32Array(784);
        preprocessInto(test500.pixels.subarray(i * 784, (i + 1) * 784), 1, prep, x, 0);
        const xq = Int8Array.from(x, (v) => quantize(v, q.activations[g.nodes[0].name]));
        const want = runInt8Graph(q, xq, [1, 28, 28, 1]);
        const got = runTfliteReference(bytes, xq);
        let compared = 0;
        for (const n of g.nodes) {
          const t = got.get(n.name) as QTensor | undefined;
          if (!t) continue;
          expect(Array.from(t.data), n.name).toEqual(Array.from(want.get(n.name)!.data));
          compared++;
        }
        expect(compared).toBe(g.nodes.length);
      }
    }, 60_000);
  }
});

describe('the input scaling the studio proposes (200 training images)', () => {
  for (const [file, expected] of [
    ['mnist-cnn.keras', 'unit'],
    ['mnist-resnet.onnx', 'dataset'],
  ] as const) {
    it(`${file}: proposes ${expected}, the scaling its torch training used`, async () => {
      const m = open([{ name: file, bytes: fixture(file) }]);
      const { model } = await loadLayersModel(m.entry.path, m.read);
      const train = await loadDataset(getDataset('mnist'), 'train', (n) => read(`data/mnist/${n}`), { count: PROPOSAL_IMAGES });
      const tensors = tf.memory().numTensors;
      const p = await proposeScaling(model, train);
      expect(tf.memory().numTensors).toBe(tensors);
      model.dispose();
      expect(p.images).toBe(200);
      expect(p.rows.map((r) => r.id)).toEqual(['unit', 'symmetric', 'dataset', 'raw']);
      expect(p.best).toBe(expected);
      const best = p.rows.find((r) => r.id === expected)!.accuracy;
      expect(best).toBeGreaterThan(0.6);
      // Ties go to the first choice in the table.
      for (const r of p.rows) expect(r.accuracy).toBeLessThanOrEqual(best);
      expect(p.rows.find((r) => r.id === 'raw')!.accuracy).toBeLessThan(best);
    }, 60_000);
  }
});

/** Files the studio must refuse, each with the exact problem its message names. */
function refusals(): Array<{ what: string; files: ModelFile[]; error: string }> {
  const keras = fixture('mnist-cnn.keras');
  const onnx = fixture('mnist-cnn.onnx');
  const tfl = fixture('mnist-cnn.tflite');
  const tiny = tinyOnnx();
  // The small graph's MEAN (global pooling) as a LOGISTIC, which the writer writes and the importer refuses.
  const m = float32TfliteModel(smallGraph);
  m.operators[1] = { ...m.operators[1], op: 14 as BuiltinOperatorCode, options: undefined };
  const logistic = writeTflite(m);
  const wrongLength = onnx.slice();
  // The graph field's length (tag 0x3a) says more bytes than the file has.
  const g = wrongLength.indexOf(0x3a);
  wrongLength[g + 1] = 0xff;
  wrongLength[g + 2] = 0xff;
  wrongLength[g + 3] = 0x7f;
  return [
    { what: 'a truncated .keras zip', files: [{ name: 'm.keras', bytes: keras.slice(0, keras.length >> 1) }], error: 'm.keras: the .keras archive cannot be unpacked' },
    {
      what: 'a .keras whose weights file lacks a variable',
      files: [{ name: 'm.keras', bytes: fixture('broken-missing-var.keras') }],
      error: 'm.keras (model.weights.h5): layer "dense" (Dense) needs 2 variables (kernel, bias) at "layers/dense/vars"; found 1.',
    },
    { what: 'an .h5 missing a weight dataset', files: [{ name: 'm.h5', bytes: fixture('broken-missing-dataset.h5') }], error: 'm.h5: the weight dataset "model_weights/dense/dense/bias:0" is missing.' },
    {
      what: 'an .h5 dataset declaring 4 GiB, before reading it',
      files: [{ name: 'm.h5', bytes: fixture('broken-huge-dataset.h5') }],
      error: 'm.h5: the weight dataset "model_weights/dense/dense/kernel:0" has shape [65536, 16384]; its layer needs [784, 10].',
    },
    { what: 'a truncated .h5', files: [{ name: 'm.h5', bytes: fixture('mnist-cnn.h5').slice(0, 3000) }], error: 'm.h5: ' },
    { what: 'an ONNX protobuf with a wrong length', files: [{ name: 'm.onnx', bytes: wrongLength }], error: 'm.onnx: the ONNX protobuf is malformed at byte' },
    { what: 'a truncated ONNX file', files: [{ name: 'm.onnx', bytes: onnx.slice(0, 5000) }], error: 'm.onnx: the ONNX protobuf is malformed at byte' },
    {
      what: 'a cycle in the ONNX graph',
      files: [{ name: 'm.onnx', bytes: buildOnnx({ ...tiny, nodes: [{ ...tiny.nodes[0], inputs: ['x2', 'w', 'b'] }, ...tiny.nodes.slice(1, 3), { op: 'Relu', name: 'back', inputs: ['r'], outputs: ['x2'] }, tiny.nodes[3]] }) }],
      error: 'm.onnx: the ONNX graph has a cycle through "conv", "relu", "flat", "back"',
    },
    {
      what: 'an unsupported ONNX operator',
      files: [{ name: 'm.onnx', bytes: buildOnnx({ ...tiny, nodes: [tiny.nodes[0], { op: 'Sigmoid', name: 'sig', inputs: ['c'], outputs: ['r'] }, ...tiny.nodes.slice(2)] }) }],
      error: 'm.onnx: node "sig" (Sigmoid, node 2 of 4), reading "c": the studio cannot import the operator Sigmoid.',
    },
    {
      what: 'shape arithmetic on the image itself',
      files: [{ name: 'm.onnx', bytes: buildOnnx({ ...tiny, nodes: [tiny.nodes[0], { op: 'Cast', name: 'cast', inputs: ['c'], outputs: ['r'] }, ...tiny.nodes.slice(2)] }) }],
      error: 'm.onnx: node "cast" (Cast, node 2 of 4): its input must be a constant (an initializer); here it is computed by the graph.',
    },
    {
      what: 'PyTorch padding at stride 2 that TensorFlow\'s "same" does not match',
      files: [
        {
          name: 'm.onnx',
          bytes: buildOnnx({
            ...tiny,
            nodes: [{ ...tiny.nodes[0], ints: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] } }, ...tiny.nodes.slice(1)],
            initializers: [...tiny.initializers.slice(0, 2), { name: 'fw', dims: [3, 8], values: new Array(24).fill(0.1) }, tiny.initializers[3]],
          }),
        },
      ],
      error: 'm.onnx: node "conv" (Conv, node 1 of 4) pads [top 1, left 1, bottom 1, right 1] on its 4x4 input at stride 2x2; the studio (like TFLite) supports no padding or TensorFlow\'s "same" ([0, 0, 1, 1] here).',
    },
    {
      what: 'an unsupported TFLite operator, by its schema name',
      files: [{ name: 'm.tflite', bytes: logistic }],
      error: 'm.tflite: operator 2 of 3 (LOGISTIC, output "gap"), reading "c", "gap/axes": the studio cannot import this operator.',
    },
    {
      what: 'a quantized .tflite',
      files: [{ name: 'm.tflite', bytes: exportInt8Tflite(smallQuantized, { io: 'float' }).bytes }],
      error: 'm.tflite: operator 1 of 5 (QUANTIZE, output "in"): this is a quantized model; the studio imports float models and quantizes them itself.',
    },
    { what: 'a TFLite file cut short', files: [{ name: 'm.tflite', bytes: tfl.slice(0, 2000) }], error: 'm.tflite: ' },
    { what: 'a zip that is not a .keras', files: [{ name: 'model.keras', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]) }], error: 'model.keras is a zip archive without config.json (not a .keras file).' },
    {
      what: 'an unknown file',
      files: [{ name: 'model.pb', bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }],
      error: 'model.pb is not a model file the studio knows. The studio reads a tfjs model.json with its weights, Keras .keras and .h5 files, float .tflite files and ONNX files.',
    },
    {
      what: 'two model files at once',
      files: [
        { name: 'a.onnx', bytes: onnx },
        { name: 'b.tflite', bytes: tfl },
      ],
      error: 'Choose one model at a time: found 2 model files (a.onnx: ONNX, b.tflite: TFLite (float)).',
    },
  ];
}

describe('refusals name the problem', () => {
  for (const c of refusals()) {
    it(`refuses ${c.what}`, () => {
      let err: unknown;
      try {
        open(c.files);
      } catch (e) {
        err = e;
      }
      expect((err as Error | undefined)?.message).toContain(c.error);
      expect((err as { kind?: string }).kind).toBe('user');
    });
  }
});
