/**
 * Cancel at any stage (issue 9): for every stage a job reports, a cancel at the moment the job
 * enters it makes the job reject, and tf.memory().numTensors is back where it started. The
 * compress job is run with every stage present (per-layer pruning, one short fine-tuning, int8
 * with calibration); evaluate, fine-tune and train-from-scratch likewise, on tiny limits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressBaseline, type CompressStage } from '../../src/engine/jobs/compress';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import { evaluateBaseline } from '../../src/engine/jobs/evaluate-baseline';
import { finetuneBaseline } from '../../src/engine/jobs/finetune-baseline';
import { trainFromScratch } from '../../src/engine/jobs/train-from-scratch';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const read = dirReader(PUBLIC);

const COMPRESS_STAGES: CompressStage[] = ['load-model', 'load-data', 'evaluate-before', 'latency-before', 'prune', 'evaluate-pruned', 'train', 'calibrate', 'quantize', 'evaluate-after', 'latency-after'];
const settings = withDefaults({
  evalLimit: 32,
  latencyRuns: 1,
  stageAccuracy: true,
  prune: { method: 'per-layer', sparsity: 0.5 },
  finetune: { epochs: 1, batchSize: 16, trainLimit: 64, maxSteps: 2 },
  quant: { mode: 'int8', calibration: { samples: 32 } },
});

/** Runs `start` with a signal aborted when the job first reports `stage`; says whether it rejected and whether it got there. */
async function cancelAt(stage: string, start: (signal: AbortSignal, onStage: (s: string) => void) => Promise<unknown>): Promise<{ reached: boolean; rejected: boolean }> {
  const ctrl = new AbortController();
  let reached = false;
  const onStage = (s: string) => {
    if (s === stage && !reached) {
      reached = true;
      ctrl.abort();
    }
  };
  try {
    await start(ctrl.signal, onStage);
    return { reached, rejected: false };
  } catch {
    return { reached, rejected: true };
  }
}

beforeAll(async () => {
  expect((await prepareTrainingBackend('wasm')).backend).toBe('wasm');
});

describe('cancel at any stage frees every tensor', () => {
  it('compress: each of its stages', async () => {
    // A full run first: every stage is reported, and the run itself leaves nothing behind.
    const seen = new Set<string>();
    const tensors = tf.memory().numTensors;
    await compressBaseline(mnist, settings, { read, onProgress: (s) => seen.add(s) });
    expect([...seen].sort()).toEqual([...COMPRESS_STAGES].sort());
    expect(tf.memory().numTensors).toBe(tensors);
    for (const stage of COMPRESS_STAGES) {
      const r = await cancelAt(stage, (signal, onStage) => compressBaseline(mnist, settings, { read, signal, onProgress: (s) => onStage(s) }));
      expect({ stage, ...r }).toEqual({ stage, reached: true, rejected: true });
      expect({ stage, tensors: tf.memory().numTensors }).toEqual({ stage, tensors });
    }
  }, 240_000);

  it('evaluate, fine-tune and train from scratch: each of their stages', async () => {
    const tensors = tf.memory().numTensors;
    for (const stage of ['load-model', 'load-data', 'evaluate', 'latency']) {
      const r = await cancelAt(stage, (signal, onStage) => evaluateBaseline(mnist, { read, signal, onProgress: (s) => onStage(s) }, 32));
      expect({ job: 'evaluate', stage, ...r }).toEqual({ job: 'evaluate', stage, reached: true, rejected: true });
      expect(tf.memory().numTensors).toBe(tensors);
    }
    // Fine-tuning first evaluates all 10,000 test records; its training stage is the compress
    // job's fit (above), so here it is cancelled before training.
    for (const stage of ['load-model', 'load-data', 'evaluate']) {
      const r = await cancelAt(stage, (signal, onStage) => finetuneBaseline(mnist, { epochs: 1, batchSize: 16, learningRate: 0.01, seed: 1, trainLimit: 64 }, { read, signal, onProgress: (s) => onStage(s) }));
      expect({ job: 'finetune', stage, ...r }).toEqual({ job: 'finetune', stage, reached: true, rejected: true });
      expect(tf.memory().numTensors).toBe(tensors);
    }
    const train = { architecture: 'custom-cnn', dataset: 'mnist' as const, epochs: 1, batchSize: 16, learningRate: 0.01, optimizer: 'sgd-momentum' as const, seed: 1, trainLimit: 64, maxSteps: 2, evalLimit: 32 };
    for (const stage of ['load-data', 'train', 'evaluate']) {
      const r = await cancelAt(stage, (signal, onStage) => trainFromScratch(train, 'user-models/cancel', { read, signal, onProgress: (s) => onStage(s) }));
      expect({ job: 'train', stage, ...r }).toEqual({ job: 'train', stage, reached: true, rejected: true });
      expect(tf.memory().numTensors).toBe(tensors);
    }
  }, 240_000);
});
