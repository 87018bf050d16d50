/**
 * Real int8 against float32 on one runtime: TFLite's wasm build (XNNPACK, @tensorflow/tfjs-tflite)
 * in headless Chromium, batch 1, for the custom CNN (MNIST) and MobileNetV1 0.5 (CIFAR-10).
 * Prints each model's median latency and the ratio float32 / int8 (issue 5's target: >= 1.5).
 *
 *   npm run bench:tflite -- [--only mnist|mobilenet] [--threads 1,2] [--runs 1000] [--limit 200] [--json out.json]
 *
 * (npm run bench:tflite builds into .cache/tflite-bench and passes --dist, so it does not touch dist/.)
 *
 * 1. In Node, the engine's compress job quantizes each baseline (full-integer int8, per-channel,
 *    500 calibration images from the training split) and exports three files: int8 with float
 *    I/O (QUANTIZE/DEQUANTIZE inside), int8 with int8 I/O, and the float32 model.
 * 2. `vite preview` serves the built studio (`--dist`, default dist; build it first),
 *    and Chromium (/usr/bin/chromium, or CHROMIUM_PATH) starts the studio's TFLite worker, which
 *    evaluates the files on the first `--limit` test records and then times `--runs` batch-1
 *    inferences per file, interleaved in blocks of 10 so that load from other processes falls on
 *    all files alike. Absolute times move by 5-15% on a shared machine; compare the ratios.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { exportCompressed } from '../src/engine/export/compress-exports';
import { exportInt8Tflite } from '../src/engine/export/tflite/export';
import { compressBaseline, type CompressedModels } from '../src/engine/jobs/compress';
import { withDefaults } from '../src/engine/jobs/compress-settings';
import type { TfliteEvalResult } from '../src/engine/jobs/tflite-eval';
import { prepareTrainingBackend } from '../src/engine/train/training-backend';
import type { TfliteWorkerRequest, TfliteWorkerResponse } from '../src/workers/tflite-protocol';
import { readIndex, readPublic, ROOT } from '../tools/cli/node-io';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const CASES = [
  { key: 'mnist', modelId: 'custom-cnn-mnist', label: 'custom CNN, MNIST' },
  { key: 'mobilenet', modelId: 'mobilenet-v1-0.5-cifar10', label: 'MobileNetV1 0.5, CIFAR-10' },
].filter((c) => !flag('only') || c.key === flag('only'));
const threads = (flag('threads', '1') ?? '1').split(',').map(Number);
const runs = Number(flag('runs', '1000'));
const limit = Number(flag('limit', '200'));
const TARGET = 1.5;

const distDir = flag('dist', 'dist')!;
const assets = join(ROOT, distDir, 'assets');
const tfliteWorker = existsSync(assets) ? readdirSync(assets).find((f) => /^tflite\.worker-.*\.js$/.test(f)) : undefined;
if (!tfliteWorker) {
  console.error(`${distDir}/assets has no TFLite worker: run "npx vite build" first (npm run bench:tflite does).`);
  process.exit(1);
}

async function exportFiles(modelId: string) {
  const entry = (await readIndex()).models.find((m) => m.id === modelId)!;
  let models: CompressedModels | undefined;
  const r = await compressBaseline(entry, withDefaults({ prune: { method: 'none' }, quant: { mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: 500 } }, evalLimit: limit, latencyRuns: 2 }), {
    read: readPublic,
    onModels: (m) => (models = m),
  });
  const exports = exportCompressed(models!);
  const int8 = exports.models.find((m) => m.label === 'int8')!;
  const float32 = exports.models.find((m) => m.label === 'float32')!;
  const int8io = exportInt8Tflite(models!.quantized!, { io: 'int8' });
  return {
    entry,
    simulated: r.after.metrics.accuracy,
    files: [
      { label: 'int8', bytes: int8.bytes },
      { label: 'int8 (int8 I/O)', bytes: int8io.bytes },
      { label: 'float32', bytes: float32.bytes },
    ],
    reference: exports.predictions.compressed,
  };
}

async function main(): Promise<void> {
  await prepareTrainingBackend('wasm');
  const prepared = [];
  for (const c of CASES) {
    process.stderr.write(`quantizing and exporting ${c.modelId} ...\n`);
    prepared.push({ ...c, ...(await exportFiles(c.modelId)) });
  }
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: 4181, strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const rows: Array<Record<string, unknown>> = [];
  try {
    const page = await browser.newPage();
    await page.goto(base);
    for (const p of prepared) {
      for (const t of threads) {
        process.stderr.write(`${p.modelId}: TFLite, ${t} thread(s), ${runs} timed runs per file ...\n`);
        const req: TfliteWorkerRequest = { kind: 'evaluate', entry: p.entry, models: p.files, settings: { limit, latencyRuns: runs, warmup: 50, reference: { label: 'simulated int8', predictions: p.reference } }, wasmPath: new URL('tflite-wasm/', base).href, numThreads: t };
        const result = await page.evaluate(
          ([url, request]) =>
            new Promise<TfliteEvalResult>((resolve, reject) => {
              const w = new Worker(url, { type: 'module' });
              w.onerror = (e) => reject(new Error(`TFLite worker: ${e.message}`));
              w.onmessage = (ev: MessageEvent<TfliteWorkerResponse>) => {
                if (ev.data.kind === 'progress') return;
                w.terminate();
                if (ev.data.kind === 'error') reject(new Error(ev.data.error.message));
                else resolve({ ...ev.data.result, models: ev.data.result.models.map((m) => ({ ...m, predictions: new Uint8Array(0) })) });
              };
              w.postMessage(request);
            }),
          [`${base}assets/${tfliteWorker}`, req] as const,
        );
        const ms = (label: string) => result.models.find((m) => m.label === label)!.latency.medianMs;
        const int8 = result.models.find((m) => m.label === 'int8')!;
        rows.push({
          model: p.label,
          threads: t,
          runtime: result.runtime.name,
          int8Ms: ms('int8'),
          int8IoMs: ms('int8 (int8 I/O)'),
          float32Ms: ms('float32'),
          ratio: ms('float32') / ms('int8'),
          ratioInt8Io: ms('float32') / ms('int8 (int8 I/O)'),
          int8Accuracy: int8.metrics.accuracy,
          simulatedAccuracy: p.simulated,
          agreement: int8.agreement?.fraction,
          records: result.testRecords.count,
          runs,
        });
      }
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const pct = (x: unknown) => `${((x as number) * 100).toFixed(2)}%`;
  const f = (x: unknown, d = 3) => (x as number).toFixed(d);
  console.log(`TFLite int8 vs float32, batch-1 latency (median of ${runs} runs, interleaved), ${rows[0]?.runtime ?? ''}`);
  console.log(`${'model'.padEnd(28)}${'thr'.padStart(4)}${'int8 ms'.padStart(10)}${'int8-I/O ms'.padStart(13)}${'float32 ms'.padStart(12)}${'f32/int8'.padStart(10)}${'f32/int8-I/O'.padStart(14)}  ${'target'}   accuracy int8 (sim), agreement on ${limit} records`);
  for (const r of rows) {
    const ok = (r.ratio as number) >= TARGET ? 'met' : 'MISSED';
    console.log(`${String(r.model).padEnd(28)}${String(r.threads).padStart(4)}${f(r.int8Ms).padStart(10)}${f(r.int8IoMs).padStart(13)}${f(r.float32Ms).padStart(12)}${`${f(r.ratio, 2)}x`.padStart(10)}${`${f(r.ratioInt8Io, 2)}x`.padStart(14)}  >=${TARGET}x ${ok}   ${pct(r.int8Accuracy)} (${pct(r.simulatedAccuracy)}), ${pct(r.agreement)}`);
  }
  const out = flag('json');
  if (out) writeFileSync(out, JSON.stringify(rows, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
