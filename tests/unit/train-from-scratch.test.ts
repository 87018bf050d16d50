/**
 * Train-from-scratch: seeded and reproducible (same seed -> same losses and weights; another seed
 * -> different ones), learns (loss falls on a tiny run), and its artifacts load back into a model
 * that reproduces its accuracy, so the compress job can take it like a shipped baseline.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLayersModel } from '../../src/engine/models/load';
import { trainFromScratch, type TrainFromScratchSettings } from '../../src/engine/jobs/train-from-scratch';
import { compressBaseline } from '../../src/engine/jobs/compress';
import { finetuneBaseline } from '../../src/engine/jobs/finetune-baseline';
import type { BaselineEntry } from '../../src/engine/types';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import { dirReader, PUBLIC } from './node-files';

const publicRead = dirReader(PUBLIC);
const settings: TrainFromScratchSettings = { architecture: 'custom-cnn', dataset: 'mnist', epochs: 1, batchSize: 16, learningRate: 0.02, optimizer: 'sgd-momentum', seed: 5, trainLimit: 400, maxSteps: 6, evalLimit: 300 };

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
});

describe('train from scratch', () => {
  it('refuses a bad setting by its name before any work, as the Fine-tune job does', async () => {
    const noRead = () => Promise.reject(new Error('nothing may be read'));
    await expect(trainFromScratch({ ...settings, epochs: 0 }, 'mem', { read: noRead })).rejects.toThrow('train.epochs: must be a whole number of at least 1 (got 0).');
    await expect(trainFromScratch({ ...settings, optimizer: 'adamw' as 'adam' }, 'mem', { read: noRead })).rejects.toThrow(/train\.optimizer: must be one of sgd-momentum, adam \(got "adamw"\)/);
    await expect(trainFromScratch({ ...settings, evalLimit: 0.5 }, 'mem', { read: noRead })).rejects.toThrow('train.evalLimit: must be a whole number of at least 1 (got 0.5).');
    await expect(trainFromScratch({ ...settings, batch: 3 } as TrainFromScratchSettings, 'mem', { read: noRead })).rejects.toThrow(/train\.batch: not a setting/);
    const mnist = { id: 'm', dataset: 'mnist', path: 'models/x/model.json' } as BaselineEntry;
    await expect(finetuneBaseline(mnist, { epochs: 1, batchSize: 0, learningRate: 0.01, seed: 1 }, { read: noRead })).rejects.toThrow('finetune.batchSize: must be a whole number of at least 1 (got 0).');
    await expect(finetuneBaseline(mnist, { epochs: 1, batchSize: 8, learningRate: -1, seed: 1 }, { read: noRead })).rejects.toThrow(/finetune\.learningRate: must be positive/);
  });

  it('is reproducible per seed, and its saved model reloads and compresses', async () => {
    const before = tf.memory().numTensors;
    const a = await trainFromScratch(settings, 'mem', { read: publicRead });
    const b = await trainFromScratch(settings, 'mem', { read: publicRead });
    const c = await trainFromScratch({ ...settings, seed: 6 }, 'mem', { read: publicRead });
    expect(a.steps).toBe(6);
    expect(b.losses).toEqual(a.losses);
    expect(Buffer.from(b.artifacts.weights).equals(Buffer.from(a.artifacts.weights))).toBe(true);
    expect(c.losses[0]).not.toBe(a.losses[0]);
    expect(a.entry.testData.count).toBe(300);
    expect(tf.memory().numTensors).toBe(before);

    // The artifacts are a tfjs LayersModel that gives the same accuracy.
    const files: Record<string, Uint8Array> = { 'mem/model.json': new TextEncoder().encode(a.artifacts.modelJson), 'mem/weights.bin': a.artifacts.weights };
    const read = async (p: string) => files[p] ?? publicRead(p);
    const { model } = await loadLayersModel('mem/model.json', read);
    model.dispose();
    const r = await compressBaseline(a.entry, withDefaults({ prune: { method: 'none' }, quant: { mode: 'none' }, latencyRuns: 2 }), { read });
    expect(r.before.metrics.accuracy).toBeCloseTo(a.metrics.accuracy, 6);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
