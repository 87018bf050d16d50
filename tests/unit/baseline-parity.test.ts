/**
 * Every shipped baseline, loaded in tfjs (wasm backend, as the studio evaluates) and evaluated on
 * its recorded test data, reproduces the accuracy in index.json within 0.2 points, and its logits
 * for the first 64 test images match the trainer's recorded logits within 1e-3.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { evaluate, predictLogits } from '../../src/engine/evaluate';
import { loadLayersModel } from '../../src/engine/models/load';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;

beforeAll(async () => {
  const status = await initBackend('wasm');
  expect(status.active).toBe('wasm');
});

describe('shipped baselines', () => {
  it('index.json lists at least the four required baselines', () => {
    expect(index.models.map((m) => m.id)).toEqual(expect.arrayContaining(['custom-cnn-mnist', 'custom-cnn-fashion-mnist', 'custom-cnn-cifar10', 'mobilenet-v1-0.5-cifar10']));
  });

  for (const entry of index.models) {
    it(`${entry.id}: accuracy within 0.2 points of index.json, logits within 1e-3 of the trainer's`, async () => {
      const before = tf.memory().numTensors;
      const { model } = await loadLayersModel(entry.path, dirReader(PUBLIC), entry.files);
      const d = getDataset(entry.dataset);
      const ds = await loadDataset(d, 'test', dirReader(join(PUBLIC, 'data', d.id)), { first: entry.testData.first, count: entry.testData.count });
      expect(ds.count).toBe(entry.testData.count);
      const { metrics } = await evaluate(model, ds, entry.preprocessing);
      expect(Math.abs(metrics.accuracy - entry.testAccuracy) * 100).toBeLessThanOrEqual(0.2);

      const ref = JSON.parse(readFileSync(join(PUBLIC, entry.referenceLogitsPath), 'utf8')) as { count: number; logits: number[][] };
      expect(ref.count).toBe(64);
      const logits = await predictLogits(model, ds, entry.preprocessing, 0, ref.count);
      let maxDiff = 0;
      ref.logits.forEach((row, i) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i * entry.numClasses + j])))));
      expect(maxDiff).toBeLessThanOrEqual(1e-3);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
