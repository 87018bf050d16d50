/**
 * Soak: 50 compression jobs in a row (every pruning method and quantization mode, some
 * cancelled mid-way) leave tf.memory().numTensors exactly where it started and the JS heap flat
 * (within 5% between job 10 and job 50, measured after a full GC).
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

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
});

it('50 jobs in a row: no tensor leak, heap flat within 5%', async () => {
  const tensors = tf.memory().numTensors;
  let heapAt10 = 0;
  for (let i = 0; i < 50; i++) {
    const v = VARIANTS[i % VARIANTS.length];
    const settings = withDefaults({ ...v, evalLimit: 16, latencyRuns: 1 });
    if (i % 10 === 7) {
      const ctrl = new AbortController();
      await expect(compressBaseline(entry, settings, { read: dirReader(PUBLIC), signal: ctrl.signal, onProgress: (s) => s === 'prune' && ctrl.abort() })).rejects.toThrow();
    } else await compressBaseline(entry, settings, { read: dirReader(PUBLIC) });
    expect(tf.memory().numTensors).toBe(tensors);
    if (i === 9) {
      gc();
      heapAt10 = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const heapAt50 = process.memoryUsage().heapUsed;
  expect(Math.abs(heapAt50 - heapAt10) / heapAt10).toBeLessThan(0.05);
}, 300_000);
