/**
 * The compression job end to end on a shipped baseline (tiny settings so it runs in seconds):
 * the result's structure and figures follow from the settings, masks hold through fine-tuning,
 * a gradual schedule updates on tfmot's grid, bad settings are refused by field, and no tensor
 * survives three jobs or a cancelled one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressBaseline, keepsTrain, type CompressResult, type StageFigures } from '../../src/engine/jobs/compress';
import { getDataset } from '../../src/engine/data/registry';
import { type PartialCompressSettings, validateCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const read = dirReader(PUBLIC);

/** Small and fast; every layer pruned and each stage measured unless a test says otherwise. */
const quick = (p: PartialCompressSettings): PartialCompressSettings => ({
  evalLimit: 128,
  latencyRuns: 2,
  stageAccuracy: true,
  ...p,
  prune: { spareFirstLast: false, ...p.prune },
  finetune: { epochs: 0, batchSize: 8, trainLimit: 500, ...p.finetune },
  quant: { mode: 'none', ...p.quant, calibration: { samples: 64, ...p.quant?.calibration } },
});

function run(p: PartialCompressSettings, signal?: AbortSignal, onStage?: (s: string) => void, onFigures?: (stage: string, f: StageFigures) => void): Promise<CompressResult> {
  return compressBaseline(mnist, withDefaults(quick(p)), { read, signal, onProgress: (stage, _d, _t, _p, f) => (onStage?.(stage), f && onFigures?.(stage, f)) });
}

beforeAll(async () => {
  expect((await prepareTrainingBackend('wasm')).backend).toBe('wasm');
});

describe('compress job', () => {
  it('per-layer 50% + full-integer int8: exact layer sparsity, int8 size, stages and a working model', async () => {
    const figures: Record<string, StageFigures> = {};
    const r = await run({ prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'int8' } }, undefined, undefined, (stage, f) => (figures[stage] = { ...figures[stage], ...f }));
    // The job log's figures are the result's own.
    expect(figures['evaluate-before'].accuracy).toBe(r.before.metrics.accuracy);
    expect(figures['evaluate-after'].accuracy).toBe(r.after.metrics.accuracy);
    expect(figures['evaluate-pruned'].accuracy).toBe(r.stages[0].accuracy);
    expect(figures['latency-before'].latencyMs).toBe(r.before.latency.medianMs);
    expect(figures['latency-after'].latencyMs).toBe(r.after.latency.medianMs);
    // Zeroed kernel weights over all kernel weights, from the per-layer report (kernel = params - one bias per output channel).
    const zeros = r.layers.reduce((a, l) => a + l.sparsity * (l.paramsAfter - l.channelsAfter), 0);
    const total = r.layers.reduce((a, l) => a + l.paramsAfter - l.channelsAfter, 0);
    expect(figures.prune.removedFraction).toBeCloseTo(zeros / total, 3);
    const convs = r.layers.filter((l) => l.op === 'conv2d' || l.op === 'dense');
    // Every conv and dense kernel loses round(0.5 * n) weights (BN folding keeps zeros at zero).
    for (const l of convs) expect(l.sparsity).toBeCloseTo(0.5, 2);
    expect(r.stages.map((s) => s.stage)).toEqual(['prune', 'quantize']);
    expect(r.after.format).toBe('int8');
    expect(r.before.size.deployedBytes).toBe(r.before.params * 4);
    // int8: one byte per kernel weight, 4 per bias and per scale.
    const kernels = r.layers.reduce((a, l) => a + l.paramsAfter, 0);
    expect(r.after.size.int8Bytes).toBeLessThan(0.27 * r.before.size.float32Bytes);
    expect(r.after.size.int8Bytes).toBeGreaterThan(kernels / 4);
    expect(r.after.effectiveMacs / r.after.macs).toBeCloseTo(0.5, 1);
    expect(r.after.activationMemory.peakInt8Bytes * 4).toBe(r.after.activationMemory.peakFloat32Bytes);
    expect(r.after.metrics.count).toBe(128);
    expect(r.after.metrics.accuracy).toBeGreaterThan(0.5);
    expect(r.layers.every((l) => l.sqnr && l.sqnr.weightSqnrDb > 30)).toBe(true);
    expect(r.after.throughput.batch).toBe(32);
    expect(r.flippedCount).toBeGreaterThanOrEqual(r.flipped.length);
  }, 60_000);

  it('measures only before and after unless asked for each stage: the last stage carries the final figures', async () => {
    const seen: string[] = [];
    const r = await run({ prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'int8' }, stageAccuracy: false }, undefined, (stage) => seen.push(stage));
    expect(seen).not.toContain('evaluate-pruned');
    expect(r.stages.map((s) => [s.stage, s.accuracy])).toEqual([
      ['prune', undefined],
      ['quantize', r.after.metrics.accuracy],
    ]);
    const floatOnly = await run({ prune: { method: 'per-layer', sparsity: 0.5 }, stageAccuracy: false });
    expect(floatOnly.stages.map((s) => [s.stage, s.accuracy])).toEqual([['prune', floatOnly.after.metrics.accuracy]]);
  }, 60_000);

  it('int8 alone, no pruning, keeps accuracy on these records within 1 point', async () => {
    const r = await run({ prune: { method: 'none' }, quant: { mode: 'int8' } });
    expect(Math.abs(r.after.metrics.accuracy - r.before.metrics.accuracy)).toBeLessThanOrEqual(0.01);
    expect(r.after.nonZeroParams).toBe(r.before.nonZeroParams);
  }, 60_000);

  it('holds pruned weights at zero through every fine-tuning step, and a gradual schedule follows its grid', async () => {
    const oneShot = await run({ prune: { method: 'global', sparsity: 0.7 }, finetune: { epochs: 1, maxSteps: 4 } });
    const ft = oneShot.stages.find((s) => s.stage === 'finetune')!;
    expect(ft.detail.steps).toBe(4);
    const pruned = oneShot.layers.filter((l) => l.op !== 'depthwise');
    const zeros = pruned.reduce((a, l) => a + l.sparsity * (l.paramsAfter - l.channelsAfter), 0);
    const total = pruned.reduce((a, l) => a + l.paramsAfter - l.channelsAfter, 0);
    expect(zeros / total).toBeCloseTo(0.7, 2);

    const gradual = await run({
      prune: { method: 'per-layer', sparsity: 0.6, schedule: { kind: 'gradual', initialSparsity: 0.2, beginStep: 0, endStep: 4, frequency: 2, power: 3 } },
      finetune: { epochs: 1, maxSteps: 6 },
    });
    const updates = gradual.stages.find((s) => s.stage === 'finetune')!.detail.scheduleUpdates as Array<{ step: number; sparsity: number }>;
    expect(updates.map((u) => u.step)).toEqual([0, 2, 4]);
    expect(updates[0].sparsity).toBeCloseTo(0.2, 10);
    expect(updates[1].sparsity).toBeCloseTo(0.6 - 0.4 * 0.125, 10);
    expect(updates[2].sparsity).toBeCloseTo(0.6, 10);
    for (const l of gradual.layers) expect(l.sparsity).toBeCloseTo(0.6, 2);
  }, 120_000);

  it('fine-tunes on the training limit even when calibration loads more records', async () => {
    const r = await run({ prune: { method: 'none' }, finetune: { epochs: 1, trainLimit: 64, batchSize: 16 }, quant: { mode: 'int8', calibration: { samples: 100 } } });
    expect(r.stages.find((s) => s.stage === 'finetune')!.detail.steps).toBe(4);
    expect(r.stages.find((s) => s.stage === 'quantize')!.detail.calibrationImages).toBe(100);
  }, 60_000);

  it('keeps a small training subset for the next job, and nothing over 4 MiB', async () => {
    const memo = new Map<string, Promise<unknown>>();
    const reuse = <T>(key: string, make: () => Promise<T>): Promise<T> => {
      if (!memo.has(key)) memo.set(key, make());
      return memo.get(key) as Promise<T>;
    };
    let trainReads = 0;
    const counting = (name: string) => (/train-images/.test(name) && trainReads++, read(name));
    const job = (trainLimit: number) =>
      compressBaseline(mnist, withDefaults(quick({ evalLimit: 16, latencyRuns: 1, stageAccuracy: false, prune: { method: 'none' }, quant: { mode: 'int8' }, finetune: { trainLimit } })), { read: counting, reuse });
    await job(500);
    await job(500);
    expect(trainReads).toBe(1);
    // 5,349 MNIST images are 4,193,616 bytes, under the 4 MiB kept; 5,350 are over.
    expect([5349, 5350].map((n) => keepsTrain(getDataset('mnist'), n))).toEqual([true, false]);
    expect(keepsTrain(getDataset('mnist'), undefined)).toBe(false);
  }, 60_000);

  it('structured pruning shrinks the model: fewer parameters, MACs and bytes', async () => {
    const r = await run({ prune: { method: 'structured', sparsity: 0.25 }, quant: { mode: 'float16' } });
    expect(r.after.params).toBeLessThan(0.8 * r.before.params);
    expect(r.after.macs).toBeLessThan(0.8 * r.before.macs);
    expect(r.after.size.deployedBytes).toBe(r.after.params * 2);
    expect(r.layers.some((l) => l.channelsAfter < l.channelsBefore)).toBe(true);
  }, 60_000);

  it('frees every tensor after three jobs and after a cancelled one, which rejects', async () => {
    const before = tf.memory().numTensors;
    await run({ prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'int8' } });
    await run({ prune: { method: 'n:m', sparsity: 0.5 }, quant: { mode: 'weight-int8' }, finetune: { epochs: 1, maxSteps: 2 } });
    await run({ prune: { method: 'structured', sparsity: 0.5 }, quant: { mode: 'none' } });
    expect(tf.memory().numTensors).toBe(before);
    const ctrl = new AbortController();
    const job = run({ prune: { method: 'per-layer', sparsity: 0.5 }, finetune: { epochs: 1, maxSteps: 50 }, quant: { mode: 'int8' } }, ctrl.signal, (stage) => {
      if (stage === 'train') ctrl.abort();
    });
    await expect(job).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000);
});

describe('settings validation', () => {
  const bad = (p: PartialCompressSettings) => () => validateCompressSettings(withDefaults(p));
  it('names the field and the value', () => {
    expect(bad({ prune: { sparsity: 1.5 } })).toThrow(/prune.sparsity: must be a number between 0 and 1 \(got 1.5\)/);
    expect(bad({ prune: { method: 'structured', sparsity: 1 } })).toThrow(/structured pruning must keep at least one filter/);
    expect(bad({ prune: { method: 'per-layer', schedule: { kind: 'gradual', initialSparsity: 0, power: 3 } } })).toThrow(/finetune.epochs: a gradual schedule/);
    expect(bad({ stageAccuracy: 'yes' as unknown as boolean })).toThrow(/stageAccuracy/);
    expect(bad({ quant: { mode: 'int4' as 'int8' } })).toThrow(/quant.mode/);
    expect(bad({ quant: { calibration: { samples: 0 } } })).toThrow(/quant.calibration.samples/);
    expect(bad({ finetune: { batchSize: 2.5 } })).toThrow(/finetune.batchSize/);
  });
  it('refuses an override that names no layer of the model', async () => {
    await expect(run({ prune: { method: 'per-layer', sparsity: 0.5, overrides: { nosuch: 0.9 } } })).rejects.toThrow(/"nosuch", which is not a conv, depthwise or dense layer/);
  });
});
