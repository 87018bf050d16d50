/**
 * The Deploy section's helpers (engine/export/run-files.ts, state/deploy-fit.ts): file and C-array names derived from the
 * model id, the picked board (listed or custom) and its verdict, the report envelope, and the
 * stage count of a compress job with the TFLite step (src/state/progress.ts).
 */
import { describe, expect, it } from 'vitest';
import { fitsFor, pickedProfile } from '../../src/state/deploy-fit';
import { cArrayFor, exportStem, fileStem, reportFor } from '../../src/engine/export/run-files';
import type { ExportedModel } from '../../src/engine/export/compress-exports';
import { MCU_PROFILES, planArena } from '../../src/engine/export/mcu-fit';
import { readReport } from '../../src/engine/export/report';
import { exportInt8Tflite } from '../../src/engine/export/tflite/export';
import type { Graph, WeightArray } from '../../src/engine/graph/ir';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { DEFAULT_DEPLOY, tfliteRequest } from '../../src/state/deploy-slice';
import { progressView } from '../../src/state/progress';
import type { RunningJob } from '../../src/state/job-slice';
import type { CompressJobResult } from '../../src/workers/protocol';

const w = (shape: number[], fill: number): WeightArray => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
const g: Graph = {
  name: 'tiny',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [4, 4, 1] },
    { name: 'c', op: 'conv2d', inputs: ['in'], kernel: w([3, 3, 1, 2], 0.5), strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'f', op: 'flatten', inputs: ['c'] },
    { name: 'd', op: 'dense', inputs: ['f'], kernel: w([32, 3], 0.25), activation: 'linear' },
  ],
};
const art = exportInt8Tflite(quantizeGraph(g, 'int8', 'per-channel', { in: { min: 0, max: 1 }, c: { min: 0, max: 4 }, d: { min: -2, max: 2 } }));
const model: ExportedModel = { ...art, label: 'int8', fileName: 'model_int8.tflite', arena: planArena(art.bytes) };

describe('names from the model id', () => {
  it.each([
    ['custom-cnn-mnist', 'custom_cnn_mnist'],
    ['upload-lx3k-0a', 'upload_lx3k_0a'],
    ['../../etc/passwd', 'etc_passwd'],
    ['<img src=x>', 'img_src_x'],
    ['---', 'model'],
  ])('%s -> %s', (id, stem) => expect(fileStem(id)).toBe(stem));

  it('names the C pair after the file and keeps the array a C identifier', () => {
    expect(exportStem('mobilenet-v1-0.5-cifar10', { label: 'baseline-float32' })).toBe('mobilenet_v1_0_5_cifar10_baseline_float32');
    const c = cArrayFor('custom-cnn-mnist', model);
    expect(c.header.fileName).toBe('custom_cnn_mnist_int8.h');
    expect(c.source.fileName).toBe('custom_cnn_mnist_int8.c');
    expect(c.source.text).toContain('#include "custom_cnn_mnist_int8.h"');
    expect(c.source.text).toContain(`const unsigned int custom_cnn_mnist_int8_tflite_len = ${art.bytes.length};`);
    expect(cArrayFor('9lives', model).header.text).toContain('extern const unsigned char m_9lives_int8_tflite[];');
  });
});

describe('board fit', () => {
  it('resolves a listed board and a custom one in KB; refuses an empty custom size', () => {
    expect(pickedProfile(DEFAULT_DEPLOY)).toEqual(MCU_PROFILES[0]);
    expect(pickedProfile({ board: 'custom', customRamKb: 16, customFlashKb: 1024 })).toMatchObject({ id: 'custom', ramBytes: 16 * 1024, flashBytes: 1024 * 1024 });
    expect(pickedProfile({ board: 'custom', customRamKb: Number.NaN, customFlashKb: 1024 })).toHaveProperty('error');
    expect(pickedProfile({ board: 'custom', customRamKb: 0, customFlashKb: 1024 })).toHaveProperty('error');
  });

  it('gives the verdict for the picked board and every listed one (the custom one added)', () => {
    const listed = fitsFor(model, DEFAULT_DEPLOY);
    expect(listed.all).toHaveLength(MCU_PROFILES.length);
    expect(listed.picked).toMatchObject({ fits: true, device: { id: 'arduino-nano-33-ble-sense' } });
    const tiny = fitsFor(model, { ...DEFAULT_DEPLOY, board: 'custom', customRamKb: 0.0625, customFlashKb: 1024 });
    expect(tiny.picked).toMatchObject({ fits: false, ram: { haveBytes: 64, needBytes: model.arena.arenaBytes } });
    expect(tiny.all).toHaveLength(MCU_PROFILES.length + 1);
  });
});

describe('the job request and its stages', () => {
  it('asks for export + evaluation only when the option is on', () => {
    expect(tfliteRequest(DEFAULT_DEPLOY)).toBeUndefined();
    // By default the runtime is chosen by measurement; a runtime picked by name is kept.
    expect(tfliteRequest({ ...DEFAULT_DEPLOY, tflite: true })).toEqual({ evaluate: true, io: 'float', runtime: 'measured' });
    expect(tfliteRequest({ ...DEFAULT_DEPLOY, tflite: true, runtime: 'litert' })).toEqual({ evaluate: true, io: 'float', runtime: 'litert' });
    expect(tfliteRequest({ ...DEFAULT_DEPLOY, tflite: true, runtime: 'tfjs-tflite' })).toEqual({ evaluate: true, io: 'float', runtime: 'tfjs-tflite' });
    // LiteRT.js cannot pass int8 tensors: an int8-I/O file goes to tfjs-tflite whatever was picked.
    expect(tfliteRequest({ ...DEFAULT_DEPLOY, tflite: true, io: 'int8' })).toEqual({ evaluate: true, io: 'int8', runtime: 'tfjs-tflite' });
  });

  it('counts the TFLite stages (one more where both runtimes are timed) and labels them', () => {
    const job = { type: 'compress' as const, modelId: 'm', backend: 'wasm' as const, settings: { prune: { method: 'per-layer' as const, sparsity: 0.5 }, quant: { mode: 'int8' as const }, stageAccuracy: true } };
    const running = (tflite: boolean, runtime?: 'litert'): RunningJob => ({
      jobId: 1,
      type: 'compress',
      job: tflite ? { ...job, tflite: { evaluate: true, runtime } } : job,
      progress: { stage: 'tflite-evaluate', done: 1, total: 2 },
      stagesEntered: 12,
      startedAt: 0,
      stageStartedAt: 0,
    });
    expect(progressView(running(false), 0).stageCount).toBe(11);
    const v = progressView(running(true), 0);
    expect(v.stageCount).toBe(15);
    expect(v.label).toContain('TFLite runtime');
    expect(progressView(running(true, 'litert'), 0).stageCount).toBe(14);
    // Without the pruned model's own evaluation, one stage fewer.
    expect(progressView({ ...running(false), job: { ...job, settings: { ...job.settings, stageAccuracy: false } } }, 0).stageCount).toBe(10);
  });
});

describe('report', () => {
  it('reads back as a Compression Studio report without the file bytes', () => {
    const r = { type: 'compress', modelId: 'm', settings: {}, exports: { models: [model], skipped: [], predictions: { compressed: new Uint8Array(2), baseline: new Uint8Array(2), compressedLabel: 'x' } } } as unknown as CompressJobResult;
    const text = reportFor(r, fitsFor(model, DEFAULT_DEPLOY).all);
    const env = readReport(text);
    expect(env.exports).toHaveLength(1);
    expect(text).not.toContain('"bytes"');
    expect(env.fit).toHaveLength(MCU_PROFILES.length);
  });
});
