/**
 * The job log (state/job-log.ts): progress events become one entry per stage, closed when the
 * next stage starts or the job ends, with the figures the engine sent; lines read as expected.
 */
import { describe, expect, it } from 'vitest';
import { logEnd, logLineText, logProgress, resultSummary, type LogEntry } from '../../src/state/job-log';
import type { Progress } from '../../src/workers/client';
import type { CompressJobResult } from '../../src/workers/protocol';

function replay(events: Array<[number, Progress]>): LogEntry[] {
  return events.reduce<LogEntry[]>((log, [at, p]) => logProgress(log, p, at), []);
}

describe('job log', () => {
  const events: Array<[number, Progress]> = [
    [5, { stage: 'backend', done: 0, total: 1 }],
    [40, { stage: 'load-model', done: 0, total: 1 }],
    [300, { stage: 'evaluate-before', done: 100, total: 300 }],
    [700, { stage: 'evaluate-before', done: 300, total: 300 }],
    [710, { stage: 'evaluate-before', done: 300, total: 300, figures: { accuracy: 0.98667 } }],
    [720, { stage: 'prune', done: 0, total: 1 }],
    [760, { stage: 'prune', done: 1, total: 1, figures: { removedFraction: 0.4987 } }],
    [900, { stage: 'train', done: 150, total: 300, loss: 0.5, imagesPerSecond: 380, backend: 'wasm' }],
    [1900, { stage: 'train', done: 300, total: 300, loss: 0.2104, imagesPerSecond: 410.4, backend: 'wasm' }],
    [2000, { stage: 'calibrate', done: 64, total: 500 }],
    [2500, { stage: 'calibrate', done: 500, total: 500 }],
    [2600, { stage: 'latency-after', done: 1, total: 1, figures: { latencyMs: 1.234 } }],
  ];

  it('opens one entry per stage and closes it when the next starts', () => {
    const log = replay(events);
    expect(log.map((e) => (e.kind === 'stage' ? e.stage : e.kind))).toEqual(['backend', 'load-model', 'evaluate-before', 'prune', 'train', 'calibrate', 'latency-after']);
    expect(log.map((e) => e.atMs)).toEqual([5, 40, 300, 720, 900, 2000, 2600]);
    expect(log.map((e) => (e.kind === 'stage' ? e.endMs : -1))).toEqual([40, 300, 720, 900, 2000, 2600, undefined]);
  });

  it('writes each stage with its key figure and duration', () => {
    const lines = replay(events).map(logLineText);
    expect(lines).toEqual([
      'start backend (0.0 s)',
      'load model (0.3 s)',
      'evaluate baseline: 300 images, accuracy 98.67% (0.4 s)',
      'prune: 49.9% of weights removed (0.2 s)',
      'train: 300 steps, loss 0.210, 410 img/s on wasm (1.1 s)',
      'calibrate: on 500 images (0.6 s)',
      'compressed latency: p50 1.23 ms …',
    ]);
  });

  it('shows a running stage’s progress', () => {
    const log = replay(events.slice(0, 8));
    expect(logLineText(log.at(-1)!)).toBe('train: 150 / 300 steps, loss 0.500, 380 img/s on wasm …');
  });

  it('ends with the outcome: a cancel, an error, or the result', () => {
    const log = replay(events.slice(0, 8));
    const cancelled = logEnd(log, 1000, { error: { code: 'cancelled', kind: 'user', message: 'Cancelled; earlier results are kept.', context: {} } });
    expect(cancelled.at(-2)).toMatchObject({ stage: 'train', endMs: 1000 });
    // A stage cut short says how far it got.
    expect(logLineText(cancelled.at(-2)!)).toBe('train: 150 / 300 steps, loss 0.500, 380 img/s on wasm (0.1 s)');
    expect(logLineText(cancelled.at(-1)!)).toBe('cancelled: Cancelled; earlier results are kept.');
    const failed = logEnd(log, 1000, { error: { code: 'bad-model', kind: 'user', message: 'model.json is not valid JSON', context: {} } });
    expect(logLineText(failed.at(-1)!)).toBe('error: model.json is not valid JSON');
    const report = (accuracy: number, deployedBytes: number) => ({ metrics: { accuracy }, size: { deployedBytes } });
    const r = { type: 'compress', before: report(0.99, 564_392), after: report(0.9833, 141_098), tflite: { models: [{ label: 'int8', metrics: { accuracy: 0.98 } }] } } as unknown as CompressJobResult;
    expect(resultSummary(r)).toBe('accuracy 99.00% → 98.33%, size 564.4 kB → 141.1 kB, TFLite int8 98.00%');
    const done = logEnd(log, 3000, { result: r });
    expect(done.at(-1)).toMatchObject({ kind: 'end', outcome: 'finished', atMs: 3000 });
  });
});
