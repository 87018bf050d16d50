/**
 * The live preview (engine/jobs/preview.ts): the compression job on a subset, so its figures must
 * equal the job's own for the same reduced settings; sizes (but gzip, which it skips) equal the job's; loaded inputs are
 * kept between previews; nothing leaks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressBaseline, warmBaseline, type Memo } from '../../src/engine/jobs/compress';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import { previewCompress, previewImages, previewSettings, PREVIEW_CALIBRATION, PREVIEW_RECON_IMAGES } from '../../src/engine/jobs/preview';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { WorkerMemo } from '../../src/workers/worker-memo';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const mobilenet = index.models.find((m) => m.id === 'mobilenet-v1-1-cifar10')!;
const files = dirReader(PUBLIC);

function mapMemo(): { memo: Memo; keys: () => string[] } {
  const m = new Map<string, Promise<unknown>>();
  return { memo: <T>(k: string, make: () => Promise<T>) => (m.get(k) ?? m.set(k, make()).get(k)) as Promise<T>, keys: () => [...m.keys()] };
}

beforeAll(async () => {
  expect((await prepareTrainingBackend('wasm')).backend).toBe('wasm');
});

describe('preview', () => {
  it('evaluates fewer images for a heavier model, within bounds and never more than the recipe asks', () => {
    // 3e9 MACs over 21.9 M MACs per image = 137 images; MobileNetV1 1.0: 3e9 / 46.4 M = 65, raised to the minimum 100.
    expect(previewImages(mnist, {})).toBe(137);
    expect(previewImages(mobilenet, {})).toBe(100);
    expect(previewImages(mnist, { evalLimit: 50 })).toBe(50);
    const { settings, omitted } = previewSettings(mnist, withDefaults({ finetune: { epochs: 2 }, prune: { method: 'per-layer', schedule: { kind: 'gradual', initialSparsity: 0, power: 3 } } }));
    expect(settings.finetune.epochs).toBe(0);
    expect(settings.prune.schedule.kind).toBe('one-shot');
    expect(settings.quant.calibration.samples).toBe(PREVIEW_CALIBRATION);
    expect(omitted).toEqual(['no fine-tuning', 'pruned at once, not gradually', `calibrated on ${PREVIEW_CALIBRATION} images`, 'latency not measured']);
  });

  it('with reconstruction, re-fits on fewer images, skips the exact solve of the kept weights, and says both', () => {
    const recipe = withDefaults({ prune: { method: 'obs', sparsity: 0.5, params: { damp: 0.02 } } });
    const { settings, omitted } = previewSettings(mnist, recipe);
    expect(settings.prune.params).toEqual({ damp: 0.02, images: PREVIEW_RECON_IMAGES, refit: 0 });
    expect(omitted).toContain(`layers re-fitted on ${PREVIEW_RECON_IMAGES} images`);
    expect(omitted).toContain('kept weights not re-solved exactly');
    // Asked off already: nothing left out.
    const off = previewSettings(mnist, withDefaults({ prune: { method: 'obs', params: { refit: 0 } } }));
    expect(off.omitted).not.toContain('kept weights not re-solved exactly');
  });

  it('equals the compression job on the same reduced settings, keeps its inputs, and frees every tensor', async () => {
    const recipe = withDefaults({ prune: { method: 'per-layer', sparsity: 0.6 }, quant: { mode: 'int8' } });
    const { memo, keys } = mapMemo();
    let reads = 0;
    const read = (p: string) => (reads++, files(p));
    const tensors = tf.memory().numTensors;
    const p = await previewCompress(mnist, recipe, { read, memo });
    expect(tf.memory().numTensors).toBe(tensors);
    const job = await compressBaseline(mnist, previewSettings(mnist, recipe).settings, { read: files });
    expect(p.images).toBe(previewImages(mnist, recipe));
    expect(p.after.metrics.accuracy).toBe(job.after.metrics.accuracy);
    expect(p.before.metrics.accuracy).toBe(job.before.metrics.accuracy);
    // Every size but gzip (not measured in a preview: seconds for a large model) is the job's.
    expect({ ...p.after.size, gzipInt8Bytes: 0, gzipFloat32Bytes: 0, gzipBytes: 0 }).toEqual({ ...job.after.size, gzipInt8Bytes: 0, gzipFloat32Bytes: 0, gzipBytes: 0 });
    expect(Number.isNaN(p.after.size.gzipInt8Bytes)).toBe(true);
    expect(Number.isNaN(p.after.size.gzipBytes)).toBe(true);
    expect(Number.isNaN(p.after.latency.medianMs)).toBe(true);
    expect(p.summary).toContain('(sparse format)');
    expect(p.summary).toContain(`on ${p.images} test images`);
    // 'pruned': the last preview's pruning, one slot, kept for the layer picture of the same recipe;
    // 'inference': the model with its BatchNorms folded, which the job makes afresh.
    expect(
      keys()
        .map((k) => k.split(':')[0])
        .sort(),
    ).toEqual(['before', 'graph', 'inference', 'pruned', 'test', 'train']);

    // A second preview at another sparsity reads no file and keeps the baseline's figures.
    const readsBefore = reads;
    const p2 = await previewCompress(mnist, { ...recipe, prune: { ...recipe.prune, sparsity: 0.9 } }, { read, memo });
    expect(reads).toBe(readsBefore);
    expect(p2.before).toBe(p.before);
    expect(p2.after.size.sparseBytes).toBeLessThan(p.after.size.sparseBytes);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('with reconstruction, keeps the first pruned layer’s inputs between previews and still equals the job layer by layer', async () => {
    const recipe = withDefaults({ prune: { sparsity: 0.8 } });
    expect(recipe.prune.method).toBe('obs');
    const { memo, keys } = mapMemo();
    const tensors = tf.memory().numTensors;
    const p = await previewCompress(mnist, recipe, { read: files, memo });
    expect(keys().filter((k) => k.startsWith('recon-stats:'))).toHaveLength(1);
    // The job collects every layer's inputs from the model pruned so far; the preview reuses the
    // first pruned layer's (nothing before it is pruned), so the two must agree.
    const job = await compressBaseline(mnist, previewSettings(mnist, recipe).settings, { read: files });
    expect(p.after.metrics.accuracy).toBe(job.after.metrics.accuracy);
    expect(p.after.size.sparseBytes).toBe(job.after.size.sparseBytes);
    const p2 = await previewCompress(mnist, { ...recipe, prune: { ...recipe.prune, sparsity: 0.7 } }, { read: files, memo });
    expect(keys().filter((k) => k.startsWith('recon-stats:'))).toHaveLength(1);
    expect(p2.after.size.sparseBytes).toBeGreaterThan(p.after.size.sparseBytes);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('a job reusing earlier jobs', () => {
  it('takes the unchanged model’s evaluation from the memo, times it afresh, and gives the figures a fresh job gives', async () => {
    const settings = withDefaults({ evalLimit: 200, latencyRuns: 2, prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'int8', calibration: { samples: 32 } }, finetune: { trainLimit: 64 } });
    const fresh = await compressBaseline(mnist, settings, { read: files });
    const { memo, keys } = mapMemo();
    const ticks: string[] = [];
    const onProgress = (stage: string, done: number) => done > 0 && ticks.push(stage);
    const first = await compressBaseline(mnist, settings, { read: files, reuse: memo, onProgress });
    const evaluatedFirst = ticks.filter((t) => t === 'evaluate-before').length;
    ticks.length = 0;
    const tensors = tf.memory().numTensors;
    const second = await compressBaseline(mnist, { ...settings, prune: { ...settings.prune, sparsity: 0.7 } }, { read: files, reuse: memo, onProgress });
    expect(tf.memory().numTensors).toBe(tensors);
    // The first job evaluated batch by batch; the second reports the stage once, done.
    expect(evaluatedFirst).toBeGreaterThan(1);
    expect(ticks.filter((t) => t === 'evaluate-before')).toHaveLength(1);
    expect(keys().some((k) => k.startsWith('baseline-eval:'))).toBe(true);
    // A job keeps its 64 training images (a small subset: compress.ts keepsTrain), not the split.
    expect(keys().filter((k) => k.startsWith('train:'))).toEqual([expect.stringMatching(/:64$/)]);
    for (const r of [first, second]) {
      expect(r.before.metrics).toEqual(fresh.before.metrics);
      expect(r.before.latency.runs).toBe(2);
    }
    expect(first.after.metrics).toEqual(fresh.after.metrics);
    expect(second.after.metrics.accuracy).not.toBe(first.after.metrics.accuracy);
  }, 120_000);

  it('a memo entry whose maker is cancelled is made again by a job that is not', async () => {
    // The worker's own memo, which drops an entry whose making failed.
    const kept = new WorkerMemo();
    const memo: Memo = (key, make) => kept.get(key, make);
    const cancelled = new AbortController();
    const settings = withDefaults({ evalLimit: 200, latencyRuns: 2, prune: { method: 'none' }, quant: { mode: 'none' } });
    const a = compressBaseline(mnist, settings, { read: files, reuse: memo, signal: cancelled.signal, onProgress: (stage) => stage === 'evaluate-before' && cancelled.abort() });
    const b = compressBaseline(mnist, settings, { read: files, reuse: memo });
    await expect(a).rejects.toThrow();
    const r = await b;
    expect(r.before.metrics.accuracy).toBeGreaterThan(0.95);
  }, 120_000);
});

describe('the warm-up', () => {
  it('makes the evaluation a Compress then takes, with the figures a fresh job gives, and lets others go first', async () => {
    const kept = new WorkerMemo();
    const memo: Memo = (key, make) => kept.get(key, make);
    const settings = withDefaults({ evalLimit: 300, latencyRuns: 2, prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'none' } });
    // A gate the warm-up waits at between batches, opened after a while: it must not finish before.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let batches = 0;
    const warming = warmBaseline(mnist, 300, { read: files, reuse: memo, between: () => (batches++ === 1 ? gate : Promise.resolve()) });
    let done = false;
    void warming.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    open();
    const warmed = await warming;
    const figures: Array<Record<string, unknown>> = [];
    const job = await compressBaseline(mnist, settings, { read: files, reuse: memo, onProgress: (stage, _d, _t, _p, f) => stage === 'evaluate-before' && f && figures.push({ ...f }) });
    const fresh = await compressBaseline(mnist, settings, { read: files });
    expect(warmed).toEqual(fresh.before.metrics);
    expect(job.before.metrics).toEqual(fresh.before.metrics);
    expect(figures).toEqual([{ accuracy: fresh.before.metrics.accuracy, madeAhead: true }]);
  }, 120_000);

  it('a preview on the same records as a paused warm-up does not wait for it', async () => {
    const kept = new WorkerMemo();
    const memo: Memo = (key, make) => kept.get(key, make);
    // The warm-up waits before its first batch until the preview is done, as the worker makes it.
    let previewDone!: () => void;
    const afterPreview = new Promise<void>((r) => (previewDone = r));
    const reads: string[] = [];
    const counted: typeof files = (path) => (reads.push(path), files(path));
    const warming = warmBaseline(mnist, 50, { read: counted, reuse: memo, between: () => afterPreview });
    await new Promise((r) => setTimeout(r, 200));
    // Nothing loaded before its gate opens: loading is a long task too.
    expect(reads).toEqual([]);
    const p = await previewCompress(mnist, withDefaults({ evalLimit: 50, prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'none' } }), { read: files, memo });
    previewDone();
    expect(p.images).toBe(50);
    expect((await warming).accuracy).toBe(p.before.metrics.accuracy);
  }, 60_000);
});
