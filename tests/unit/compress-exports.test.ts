/**
 * The deployable files of a compress job (src/engine/export/compress-exports.ts) and the report
 * envelope (report.ts), on the shipped custom-cnn-mnist with tiny settings: int8 + float32 +
 * baseline files with their names, summaries and arena plans; the simulated predictions as the
 * reference; what is skipped and why; unstructured zeros noted; the report read back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportCompressed } from '../../src/engine/export/compress-exports';
import { readReport, reportJson } from '../../src/engine/export/report';
import { parseTflite } from '../../src/engine/export/tflite/reader';
import { compressBaseline, type CompressedModels, type CompressResult } from '../../src/engine/jobs/compress';
import { type PartialCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;

async function run(p: PartialCompressSettings): Promise<[CompressResult, CompressedModels]> {
  let models: CompressedModels | undefined;
  const r = await compressBaseline(mnist, withDefaults({ evalLimit: 64, latencyRuns: 2, ...p, finetune: { epochs: 0 }, quant: { mode: 'none', ...p.quant, calibration: { samples: 64 } } }), {
    read: dirReader(PUBLIC),
    onModels: (m) => (models = m),
  });
  return [r, models!];
}

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
});

describe('compress exports', () => {
  it('int8 run: int8, float32 and baseline files, summaries, arena plans, reference predictions; report round trip', async () => {
    const [r, models] = await run({ prune: { method: 'none' }, quant: { mode: 'int8' } });
    const e = exportCompressed(models);
    expect(e.models.map((m) => [m.label, m.fileName, m.kind])).toEqual([
      ['int8', 'model_int8.tflite', 'int8'],
      ['float32', 'model_float32.tflite', 'float32'],
      ['baseline-float32', 'baseline_float32.tflite', 'float32'],
    ]);
    expect(e.skipped).toEqual([]);
    const [int8, f32] = e.models;
    expect(parseTflite(int8.bytes).subgraphs[0].operators.map((o) => o.opName)).toEqual([
      'QUANTIZE',
      'CONV_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'CONV_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'MEAN',
      'FULLY_CONNECTED',
      'DEQUANTIZE',
    ]);
    // Weights: about a quarter of the float32 file; the int8 arena a quarter of the float one.
    expect(int8.summary.sizeBytes / f32.summary.sizeBytes).toBeLessThan(0.3);
    expect(int8.arena.arenaBytes).toBe(r.after.activationMemory.peakInt8Bytes);
    expect(f32.arena.arenaBytes).toBe(4 * int8.arena.arenaBytes);
    expect(int8.arena.perOp).toHaveLength(parseTflite(int8.bytes).subgraphs[0].operators.length);
    expect(e.predictions.compressedLabel).toBe('simulated int8 (tfjs)');
    expect(e.predictions.compressed).toHaveLength(64);
    const json = reportJson({ compress: r, exports: e.models, createdAt: '2026-11-26T00:00:00.000Z' });
    expect(json).not.toContain('"bytes"');
    const back = readReport(json);
    expect(back).toMatchObject({ format: 'compression-studio-report', version: 1, createdAt: '2026-11-26T00:00:00.000Z' });
    expect((back.compress as CompressResult).modelId).toBe('custom-cnn-mnist');
    expect((back.exports as Array<{ fileName: string }>).map((x) => x.fileName)).toEqual(['model_int8.tflite', 'model_float32.tflite', 'baseline_float32.tflite']);
    expect(() => readReport('{"format":"other"}', 'x.json')).toThrow(/not a Compression Studio report/);
    expect(() => readReport('{"format":"compression-studio-report","version":2,"compress":{}}')).toThrow(/version 2/);
  }, 60_000);

  it('unstructured pruning exports dense (same size) and says why; weight-only quantization has no int8 file', async () => {
    const [, models] = await run({ prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'weight-int8' } });
    const e = exportCompressed(models);
    expect(e.models.map((m) => m.label)).toEqual(['float32', 'baseline-float32']);
    expect(e.skipped[0]).toMatch(/quantized "weight-int8"/);
    const [pruned, base] = e.models;
    expect(pruned.summary.sizeBytes).toBe(base.summary.sizeBytes);
    expect(pruned.summary.zeroKernelElements / pruned.summary.kernelElements).toBeCloseTo(0.5, 1);
    expect(pruned.summary.note).toMatch(/TFLite stores them all/);
    expect(pruned.summary.gzipBytes).toBeLessThan(0.8 * base.summary.gzipBytes);
    expect(base.summary.note).toBeUndefined();
  }, 60_000);
});
