/**
 * A user's own model (engine/jobs/user-model.ts): the shipped custom CNN as the upload, and a table
 * of mutations, each with the exact problem its refusal must name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openUserModel, type ModelFile } from '../../src/engine/jobs/user-model';
import type { DatasetId } from '../../src/engine/types';
import { PUBLIC } from './node-files';

const JSON_TEXT = readFileSync(join(PUBLIC, 'models/custom-cnn-mnist/model.json'), 'utf8');
const WEIGHTS = new Uint8Array(readFileSync(join(PUBLIC, 'models/custom-cnn-mnist/weights.bin')));
const file = (name: string, bytes: Uint8Array | string): ModelFile => ({ name, bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes });
const fallback = async (p: string): Promise<Uint8Array> => {
  throw new Error(`fallback read ${p}`);
};
const open = (files: ModelFile[], dataset: DatasetId = 'mnist') => openUserModel({ id: 'upload-test', dataset, files }, fallback);

/** The model.json with one layer's config changed. */
function withLayer(name: string, patch: Record<string, unknown>): string {
  const m = JSON.parse(JSON_TEXT) as { modelTopology: { config: { layers: Array<{ config: Record<string, unknown> }> } } };
  const l = m.modelTopology.config.layers.find((x) => x.config.name === name)!;
  Object.assign(l.config, patch);
  return JSON.stringify(m);
}

const CASES: Array<{ what: string; files: ModelFile[]; dataset?: DatasetId; error: string | RegExp }> = [
  { what: 'no files', files: [], error: 'No files were given' },
  { what: 'no model.json', files: [file('weights.bin', WEIGHTS)], error: 'No model.json among the files (weights.bin)' },
  { what: 'two JSON files', files: [file('a.json', JSON_TEXT), file('b.json', JSON_TEXT), file('weights.bin', WEIGHTS)], error: 'Choose one model at a time: found 2 JSON files (a.json, b.json).' },
  { what: 'the same file twice', files: [file('model.json', JSON_TEXT), file('weights.bin', WEIGHTS), file('weights.bin', WEIGHTS)], error: 'The file "weights.bin" was given twice.' },
  { what: 'a path out of the folder', files: [file('../model.json', JSON_TEXT)], error: '"../model.json" is not a plain relative path.' },
  { what: 'an absolute path', files: [file('/tmp/model.json', JSON_TEXT)], error: '"/tmp/model.json" is not a plain relative path.' },
  { what: 'truncated JSON', files: [file('model.json', JSON_TEXT.slice(0, 300)), file('weights.bin', WEIGHTS)], error: /^model\.json is not valid JSON/ },
  { what: 'short weights', files: [file('model.json', JSON_TEXT), file('weights.bin', WEIGHTS.subarray(4))], error: 'model.json: the weights in group 0 need 564392 bytes, but weights.bin hold 564388.' },
  { what: 'missing weights', files: [file('model.json', JSON_TEXT)], error: 'model.json: the weights file "weights.bin" is missing; supplied: none.' },
  {
    what: 'another dataset',
    files: [file('model.json', JSON_TEXT), file('weights.bin', WEIGHTS)],
    dataset: 'cifar10',
    error: 'model.json: the model takes 28x28x1 images, but CIFAR-10 images are 32x32x3. Choose the dataset the model was trained on.',
  },
  {
    what: 'an activation the graph cannot fuse',
    files: [file('model.json', withLayer('block1_relu', { activation: 'tanh' })), file('weights.bin', WEIGHTS)],
    error: 'model.json: layer "block1_relu" (Activation) uses the activation "tanh", which the studio cannot compress; it supports linear, relu, relu6, softmax.',
  },
];

describe('openUserModel', () => {
  it('accepts the shipped model as an upload and serves its files', async () => {
    const m = open([file('model.json', JSON_TEXT), file('weights.bin', WEIGHTS), file('notes.txt', 'hello')]);
    expect(m.entry.id).toBe('upload-test');
    expect(m.entry.path).toBe('user-models/upload-test/model.json');
    expect(m.entry.inputShape).toEqual([28, 28, 1]);
    expect(m.summary.layers.map((l) => l.name)).toEqual(['block1_conv', 'block2_conv', 'block3_conv', 'block4_conv', 'block5_conv', 'logits']);
    expect(m.summary.params).toBe(WEIGHTS.length / 4);
    expect(m.summary.unusedFiles).toEqual(['notes.txt']);
    expect((await m.read('user-models/upload-test/weights.bin')).length).toBe(WEIGHTS.length);
    await expect(m.read('data/mnist/x')).rejects.toThrow('fallback read data/mnist/x');
    await expect(m.read('user-models/upload-test/other.bin')).rejects.toThrow('"other.bin" is not part of this model');
  });

  for (const c of CASES) {
    it(`refuses ${c.what}`, () => {
      let message = '';
      try {
        open(c.files, c.dataset);
      } catch (e) {
        message = (e as Error).message;
        expect((e as { kind?: string }).kind).toBe('user');
      }
      if (typeof c.error === 'string') expect(message).toContain(c.error);
      else expect(message).toMatch(c.error);
    });
  }
});
