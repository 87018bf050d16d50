/**
 * Every shipped baseline, loaded in tfjs (wasm backend, as the studio evaluates) and evaluated on
 * its recorded test data, reproduces the accuracy in index.json within 0.2 points, and its logits
 * for the first 64 test images match the trainer's recorded logits within 1e-3.
 * A big model (> 10M params, e.g. VGG16: minutes on wasm for 1000 images) is checked in CI on its
 * 64 reference images only (logits); STUDIO_FULL_PARITY=1 also re-measures its accuracy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { evaluate, predictLogits } from '../../src/engine/evaluate';
import { isBigModel } from '../../src/engine/models/architectures';
import { loadLayersModel } from '../../src/engine/models/load';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const FULL = process.env.STUDIO_FULL_PARITY === '1';
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
    const sampled = isBigModel(entry) && !FULL;
    const what = sampled ? 'logits of the 64 reference images within 1e-3 (accuracy: STUDIO_FULL_PARITY=1)' : "accuracy within 0.2 points of index.json, logits within 1e-3 of the trainer's";
    it(`${entry.id}: ${what}`, { timeout: isBigModel(entry) ? 3_600_000 : undefined }, async () => {
      const before = tf.memory().numTensors;
      const { model } = await loadLayersModel(entry.path, dirReader(PUBLIC), entry.files);
      const d = getDataset(entry.dataset);
      const ref = JSON.parse(readFileSync(join(PUBLIC, entry.referenceLogitsPath), 'utf8')) as { count: number; logits: number[][] };
      expect(ref.count).toBe(64);
      const count = sampled ? ref.count : entry.testData.count;
      const ds = await loadDataset(d, 'test', dirReader(join(PUBLIC, 'data', d.id)), { first: entry.testData.first, count });
      expect(ds.count).toBe(count);
      if (!sampled) {
        const t0 = performance.now();
        const { metrics } = await evaluate(model, ds, entry.preprocessing);
        if (isBigModel(entry)) console.log(`${entry.id}: accuracy ${metrics.accuracy} (index.json ${entry.testAccuracy}), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        expect(Math.abs(metrics.accuracy - entry.testAccuracy) * 100).toBeLessThanOrEqual(0.2);
      }

      const logits = await predictLogits(model, ds, entry.preprocessing, 0, ref.count);
      let maxDiff = 0;
      ref.logits.forEach((row, i) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i * entry.numClasses + j])))));
      if (isBigModel(entry)) console.log(`${entry.id}: max logit difference ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThanOrEqual(1e-3);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
