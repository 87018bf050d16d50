/**
 * The studio's sensitivity job (engine/jobs/sensitivity.ts) on the custom CNN for MNIST, with few
 * images: every weighted layer reported, drawn from the whole training split (never the test
 * records), progress per layer, the second identical request answered from the cache, a cancel
 * mid-analysis rejecting, and no tensor left behind either way.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { analyseSensitivity } from '../../src/engine/jobs/sensitivity';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const read = dirReader(PUBLIC);
const settings = { calibrationImages: 16, heldOutImages: 32, sparsities: [0.5] };

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the sensitivity job', () => {
  it('measures every weighted layer on training images, per layer, then answers again from the cache', async () => {
    const tensors = tf.memory().numTensors;
    const progress: string[] = [];
    const r = await analyseSensitivity(mnist, settings, { read, onProgress: (stage, done, total) => progress.push(`${stage} ${done}/${total}`) });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.trainImages).toBe(60000);
    expect(r.report.layers.map((l) => l.layer)).toEqual(['block1_conv', 'block2_conv', 'block3_conv', 'block4_conv', 'block5_conv', 'logits']);
    expect(r.report).toMatchObject({ heldOutImages: 32, calibrationImages: 16 });
    expect(r.reused).toBe(false);
    expect(progress).toEqual(['load-model 0/1', 'load-data 0/1', ...[0, 1, 2, 3, 4, 5, 6].map((k) => `sensitivity ${k}/6`), 'sensitivity 6/6']);

    const again = await analyseSensitivity(mnist, { ...settings, sparsities: [0.5, 0.5] }, { read });
    expect(again.reused).toBe(true);
    expect(again.report).toBe(r.report);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('stops when cancelled mid-analysis and frees what it held', async () => {
    const tensors = tf.memory().numTensors;
    const ctrl = new AbortController();
    const run = analyseSensitivity(mnist, { ...settings, heldOutImages: 48 }, { read, signal: ctrl.signal, onProgress: (stage, done) => stage === 'sensitivity' && done === 1 && ctrl.abort() });
    await expect(run).rejects.toThrow();
    expect(ctrl.signal.aborted).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
