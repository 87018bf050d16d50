/**
 * One run, three places, the same files: the worker's TFLite step (workers/tflite-step.ts), the
 * page's Deploy downloads (state/run-downloads.ts) and the CLI's --export-dir
 * (tools/cli/export-command.ts) all take their files from engine/export/run-files.ts. Before, the
 * CLI wrote model_int8.tflite, report.json and one C pair, the page custom_cnn_mnist_int8.tflite,
 * custom_cnn_mnist_report.json and a C pair per file, and only the page had the tfjs zip.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressBaseline, type CompressedModels, type CompressResult } from '../../src/engine/jobs/compress';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import type { CompressJobResult } from '../../src/engine/jobs/results';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineIndex } from '../../src/engine/types';
import { DEFAULT_DEPLOY } from '../../src/state/deploy-slice';
import { fitModel, fitsFor } from '../../src/state/deploy-fit';
import { runDownloadBlob, runDownloads } from '../../src/state/run-downloads';
import { tfliteStep } from '../../src/workers/tflite-step';
import { writeExports } from '../../tools/cli/export-command';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const dir = mkdtempSync(join(tmpdir(), 'run-files-'));

let r: CompressResult;
let models: CompressedModels;

beforeAll(async () => {
  await prepareTrainingBackend('wasm');
  r = await compressBaseline(mnist, withDefaults({ evalLimit: 32, latencyRuns: 2, prune: { method: 'per-layer', sparsity: 0.5 }, quant: { mode: 'int8', calibration: { samples: 32 } } }), {
    read: dirReader(PUBLIC),
    onModels: (m) => (models = m),
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A report without its time stamp (each place writes its own). */
const report = (text: string) => {
  const { createdAt: _, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
};

describe('a run’s files', () => {
  it('an unknown I/O or runtime is refused by name, not taken as the default', async () => {
    const ctx = { signal: new AbortController().signal, wasmPaths: { litert: '', 'tfjs-tflite': '' }, onProgress: () => {} };
    await expect(tfliteStep(mnist, r, models, { io: 'int16' as 'int8' }, ctx)).rejects.toThrow(/tflite\.io.*float.*int8.*int16/s);
    await expect(tfliteStep(mnist, r, models, { io: 'float', runtime: 'tflm' as 'litert' }, ctx)).rejects.toThrow(/tflite\.runtime.*tflm/s);
  });

  it('are the same files with the same names and bytes in the worker, the page and the CLI', async () => {
    const worker = await tfliteStep(mnist, r, models, { io: 'float' }, { signal: new AbortController().signal, wasmPaths: { litert: '', 'tfjs-tflite': '' }, onProgress: () => {} });
    const result: CompressJobResult = { ...r, type: 'compress', ...worker };

    // The page: the default file on every listed board, as the Deploy section passes it.
    const fit = fitsFor(fitModel(result.exports!.models, DEFAULT_DEPLOY)!, DEFAULT_DEPLOY).all;
    const page = runDownloads(result, fit);
    const stem = 'custom_cnn_mnist';
    expect(page.map((f) => f.name)).toEqual([...['int8', 'float32', 'baseline_float32'].flatMap((s) => [`${stem}_${s}.tflite`, `${stem}_${s}.h`, `${stem}_${s}.c`]), `${stem}_tfjs.zip`, `${stem}_report.json`]);
    expect(result.exports!.models.map((m) => m.fileName)).toEqual([`${stem}_int8.tflite`, `${stem}_float32.tflite`, `${stem}_baseline_float32.tflite`]);

    // The CLI, on the same run (its own export of the same models).
    const cli = await writeExports(dir, r, models, {});
    expect(cli.files.map((f) => f.fileName)).toEqual(page.map((f) => f.name));
    expect(readdirSync(dir).sort()).toEqual(page.map((f) => f.name).sort());
    expect(cli.fit).toEqual(fit);

    for (const f of page) {
      const fromPage = new Uint8Array(await runDownloadBlob(result, fit, f.name)!.arrayBuffer());
      const fromCli = new Uint8Array(readFileSync(join(dir, f.name)));
      if (f.kind === 'report') expect(report(new TextDecoder().decode(fromCli))).toEqual(report(new TextDecoder().decode(fromPage)));
      else expect(Buffer.from(fromCli).equals(Buffer.from(fromPage)), f.name).toBe(true);
    }
    expect(readFileSync(join(dir, `${stem}_int8.tflite`)).equals(Buffer.from(worker.exports!.models[0].bytes))).toBe(true);
  }, 120_000);
});
