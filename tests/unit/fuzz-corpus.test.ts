/**
 * The fuzz corpus (tools/fuzz/corpus.ts, at least 200 deterministic cases) against the loaders in
 * Node: each case gets its expected outcome (the named error, or acceptance with a model that then
 * predicts), within 10 s, and a valid model still loads and predicts after all of them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { buildCorpus } from '../../tools/fuzz/corpus';
import { formatSeeds, shippedSeed } from '../../tools/fuzz/seed';
import { matches, runCase } from '../../tools/fuzz/run-case';

const corpus = buildCorpus(shippedSeed(), undefined, formatSeeds());

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fuzz corpus', () => {
  it('has at least 200 cases, deterministic, with unique ids', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    const again = buildCorpus(shippedSeed(), undefined, formatSeeds());
    expect(again.map((c) => c.id)).toEqual(corpus.map((c) => c.id));
    expect(Buffer.from(again[40].files['model.json'] ?? new Uint8Array()).equals(Buffer.from(corpus[40].files['model.json'] ?? new Uint8Array()))).toBe(true);
  });

  it('every case ends as expected, none hangs or crashes, and memory is bounded', async () => {
    const tensors = tf.memory().numTensors;
    const heap0 = process.memoryUsage().heapUsed;
    const wrong: string[] = [];
    for (const c of corpus) {
      const o = await runCase(c);
      if (!matches(c, o) || o.ms > 10_000) wrong.push(`${c.id}: expected ${JSON.stringify(c.expect)}, got ${o.outcome} ${o.code ?? ''} ${o.message?.split('\n')[0] ?? ''} (${o.ms.toFixed(0)} ms)`);
    }
    expect(wrong).toEqual([]);
    expect(tf.memory().numTensors).toBe(tensors);
    // No case may leave large buffers behind (the bombs would add 64 MB+ each).
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(64 * 1024 * 1024);
    // A valid model still works afterwards.
    const valid = corpus.find((c) => c.id === 'model/valid')!;
    expect((await runCase(valid)).outcome).toBe('accept');
  }, 240_000);
});
