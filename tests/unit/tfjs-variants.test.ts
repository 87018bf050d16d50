/**
 * Real-world-shaped tfjs LayersModels (tools/fixtures/tfjs-variants.ts: the Python converter at
 * several versions, tfjs' browser save, Keras 3 exports, sub-folders, two weight groups), built
 * from the shipped custom CNN's own weights. Each must be accepted as an upload AND evaluate, on
 * 200 MNIST test records, to exactly the baseline's logits and accuracy. A graph model is named
 * as one.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { predictLogits } from '../../src/engine/evaluate';
import { openUserModel } from '../../src/engine/jobs/user-model';
import { loadLayersModel } from '../../src/engine/models/load';
import type { ImageDataset } from '../../src/engine/types';
import { tfjsVariants } from '../../tools/fixtures/tfjs-variants';
import { dirReader, PUBLIC } from './node-files';

const DIR = join(PUBLIC, 'models/custom-cnn-mnist');
const SOURCE = { modelJson: readFileSync(join(DIR, 'model.json'), 'utf8'), weights: new Uint8Array(readFileSync(join(DIR, 'weights.bin'))) };
const VARIANTS = tfjsVariants(SOURCE);
const COUNT = 200;
const read = dirReader(PUBLIC);
const mnist = getDataset('mnist');
const PREP = { kind: 'scale', scale: 1 / 255 } as const;

let ds: ImageDataset;
let reference: Float32Array;

function accuracy(logits: Float32Array, labels: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = logits.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[i]) right++;
  }
  return right / labels.length;
}

beforeAll(async () => {
  await initBackend('wasm');
  ds = await loadDataset(mnist, 'test', (n) => read(`data/mnist/${n}`), { first: 0, count: COUNT });
  const { model } = await loadLayersModel('models/custom-cnn-mnist/model.json', read);
  reference = await predictLogits(model, ds, PREP, 0, COUNT);
  model.dispose();
}, 60_000);

describe('real-world tfjs layouts of the shipped custom CNN', () => {
  it('covers the writers the issue names', () => {
    expect(VARIANTS.map((v) => v.id)).toEqual([
      'converter-3.x-keras-2.11-functional',
      'converter-1.x-keras-2.2-sequential',
      'converter-0.8-keras-2.1-list',
      'tfjs-4.22-browser-save',
      'converter-4.22-keras-3.3-sequential',
      'converter-4.22-keras-3.3-functional',
      'subfolder-dropped-folder',
      'subfolder-loose-files',
      'two-weight-groups',
    ]);
    expect(accuracy(reference, ds.labels)).toBeGreaterThan(0.97);
  });

  for (const v of VARIANTS) {
    it(`${v.id}: loads as an upload and evaluates to the baseline's logits`, async () => {
      const tensors = tf.memory().numTensors;
      const files = Object.entries(v.files).map(([name, bytes]) => ({ name, bytes }));
      const m = openUserModel({ id: 'upload-variant', dataset: 'mnist', files }, read);
      expect(m.summary.inputShape).toEqual([28, 28, 1]);
      expect(m.summary.params).toBe(SOURCE.weights.length / 4);
      expect(m.summary.unusedFiles).toEqual([]);
      const { model } = await loadLayersModel(m.entry.path, m.read);
      const logits = await predictLogits(model, ds, m.entry.preprocessing, 0, COUNT);
      model.dispose();
      // Same weights, same ops: the same numbers, bit for bit.
      expect(Math.max(...logits.map((x, i) => Math.abs(x - reference[i])))).toBe(0);
      expect(accuracy(logits, ds.labels)).toBe(accuracy(reference, ds.labels));
      expect(tf.memory().numTensors).toBe(tensors);
    }, 60_000);
  }

  it('names a tfjs graph model as one', () => {
    const graph = {
      format: 'graph-model',
      generatedBy: '2.11.0',
      convertedBy: 'TensorFlow.js Converter v3.21.0',
      modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: { producer: 1286 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    };
    const files = [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(graph)) }];
    expect(() => openUserModel({ id: 'upload-graph', dataset: 'mnist', files }, read)).toThrow(
      'model.json: this is a tfjs graph model; the studio needs a layers model. Convert the original Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 out/`',
    );
    delete (graph as { format?: string }).format;
    const unlabelled = [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(graph)) }];
    expect(() => openUserModel({ id: 'upload-graph', dataset: 'mnist', files: unlabelled }, read)).toThrow('this is a tfjs graph model');
  });

  it('resolves manifest paths: "./" and sub-folders are fine; ".." out of the folder, absolute paths and URLs are not; ambiguous base names are named', () => {
    const base = JSON.parse(SOURCE.modelJson) as { weightsManifest: Array<{ paths: string[] }> };
    const withPath = (p: string) => new TextEncoder().encode(JSON.stringify({ ...base, weightsManifest: [{ ...base.weightsManifest[0], paths: [p] }] }));
    const open = (files: Record<string, Uint8Array>) => openUserModel({ id: 'upload-paths', dataset: 'mnist', files: Object.entries(files).map(([name, bytes]) => ({ name, bytes })) }, read);
    expect(open({ 'm/model.json': withPath('./w/../weights.bin'), 'm/weights.bin': SOURCE.weights }).summary.params).toBe(SOURCE.weights.length / 4);
    expect(() => open({ 'm/model.json': withPath('../weights.bin'), 'weights.bin': SOURCE.weights })).toThrow('m/model.json: the weights path "../weights.bin" leaves the model\'s folder; only files inside the model\'s folder are read');
    expect(() => open({ 'model.json': withPath('/etc/weights.bin'), 'weights.bin': SOURCE.weights })).toThrow('the weights path "/etc/weights.bin" is an absolute path');
    expect(() => open({ 'model.json': withPath('https://example.com/weights.bin'), 'weights.bin': SOURCE.weights })).toThrow('the weights path "https://example.com/weights.bin" is a URL or a drive path');
    expect(() => open({ 'model.json': withPath('w\\weights.bin'), 'weights.bin': SOURCE.weights })).toThrow('contains a backslash');
    expect(() => open({ 'x/model.json': withPath('sub/weights.bin'), 'x/a/weights.bin': SOURCE.weights, 'x/b/weights.bin': SOURCE.weights })).toThrow(
      'the weights path "sub/weights.bin" matches several supplied files (x/a/weights.bin, x/b/weights.bin)',
    );
  });
});
