/**
 * Soak: 25 compression jobs in a row (five rounds of every pruning method and quantization mode,
 * two cancelled mid-way) leave tf.memory().numTensors exactly where it started and the JS heap
 * flat (within 5% between job 10 and job 25, measured after a full GC). 50 jobs took twice as
 * long in CI; the tensor count is checked after every job either way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { compressBaseline } from '../../src/engine/jobs/compress';
import { type PartialCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const entry = index.models.find((m) => m.id === 'custom-cnn-mnist')!;

const VARIANTS: PartialCompressSettings[] = [
  { prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'float16' } },
  { prune: { method: 'global', sparsity: 0.7 }, quant: { mode: 'weight-int8' } },
  { prune: { method: 'n:m' }, quant: { mode: 'none' } },
  { prune: { method: 'structured', sparsity: 0.3 }, quant: { mode: 'weight-int8', granularity: 'per-tensor' } },
  { prune: { method: 'none' }, quant: { mode: 'float16' } },
];
const JOBS = VARIANTS.length * 5;
// Two rounds of every variant before the heap is first measured, so one-time caches are filled.
const WARM = VARIANTS.length * 2;

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
});

it(`${JOBS} jobs in a row: no tensor leak, heap flat within 5%`, async () => {
  const tensors = tf.memory().numTensors;
  let heapAtWarm = 0;
  for (let i = 0; i < JOBS; i++) {
    const v = VARIANTS[i % VARIANTS.length];
    const settings = withDefaults({ ...v, evalLimit: 16, latencyRuns: 1 });
    if (i % 10 === 7) {
      const ctrl = new AbortController();
      await expect(compressBaseline(entry, settings, { read: dirReader(PUBLIC), signal: ctrl.signal, onProgress: (s) => s === 'prune' && ctrl.abort() })).rejects.toThrow();
    } else await compressBaseline(entry, settings, { read: dirReader(PUBLIC) });
    expect(tf.memory().numTensors).toBe(tensors);
    if (i === WARM - 1) {
      gc();
      heapAtWarm = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const heapAtEnd = process.memoryUsage().heapUsed;
  expect(Math.abs(heapAtEnd - heapAtWarm) / heapAtWarm).toBeLessThan(0.05);
}, 300_000);
