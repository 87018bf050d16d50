/**
 * `npm run bench`: the study's matrix through the real studio page and Worker in headless
 * Chromium, the native peer (python3-torch) on the same weights and test records, and the
 * study's published figures side by side. Writes bench/results/<date>-<machine>.json and .md.
 *
 *   npm run bench -- [--preset quick|full] [--limit N] [--only <id>[,<id>...]] [--no-peer] [--out dir] [--name stem-suffix]
 *
 * quick (default, < 10 min on the 2-core machine): custom-cnn-mnist and mobilenet-v1-0.5-cifar10,
 *   500 test records, fine-tuning on 640 training images (10 steps of 64).
 * full: every shipped baseline, all its exact test records, fine-tuning on 6,400 images.
 * Methods: baseline; pruning 50% and 80% (global magnitude, spare first/last, fine-tuned);
 * INT8 full-integer (per channel, 500 calibration images); pruning 80% + INT8. Each job also
 * exports .tflite files and runs them on TFLite's wasm runtime (real int8 latency).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import type { PartialCompressSettings } from '../src/engine/jobs/compress-settings';
import type { CompressJobResult, JobRequest } from '../src/workers/protocol';
import { PUBLISHED_FIGURES, STUDY_CITATION, STUDY_METHOD_INFO } from '../src/engine/study/published';
import { readIndex, ROOT } from '../tools/cli/node-io';
import { judgeLoad, machineInfo, reproHeader, reproRecord, sampleLoad, watchBefore } from './lib/repro';
import { rowOf, type Row } from './study-rows';
import { isInt8Supported, isMissing, runNativePeer, type PeerMissing, type PeerResult } from './peer/native-peer';
import { browserPath } from '../tools/check/browser';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const preset = flag('preset', 'quick') as 'quick' | 'full';
const limit = flag('limit') ? Number(flag('limit')) : preset === 'quick' ? 500 : undefined;
const trainLimit = preset === 'quick' ? 640 : 6400;

const METHODS: Array<{ key: string; label: string; settings: PartialCompressSettings }> = [
  { key: 'baseline', label: 'baseline', settings: { prune: { method: 'none' }, quant: { mode: 'none' } } },
  { key: 'prune50', label: 'pruning 50% + fine-tune', settings: { prune: { method: 'global', sparsity: 0.5, spareFirstLast: true }, finetune: { epochs: 1, trainLimit, learningRate: 0.002 }, quant: { mode: 'none' } } },
  { key: 'prune80', label: 'pruning 80% + fine-tune', settings: { prune: { method: 'global', sparsity: 0.8, spareFirstLast: true }, finetune: { epochs: 1, trainLimit, learningRate: 0.002 }, quant: { mode: 'none' } } },
  { key: 'int8', label: 'INT8 full-integer', settings: { prune: { method: 'none' }, quant: { mode: 'int8' } } },
  { key: 'prune80-int8', label: 'pruning 80% + fine-tune + INT8', settings: { prune: { method: 'global', sparsity: 0.8, spareFirstLast: true }, finetune: { epochs: 1, trainLimit, learningRate: 0.002 }, quant: { mode: 'int8' } } },
];

const pct = (x: number | undefined, d = 2) => (x === undefined ? '—' : `${(x * 100).toFixed(d)}%`);
const ms = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));

async function main() {
  const index = await readIndex();
  const only = flag('only')?.split(',');
  const unknown = only?.filter((id) => !index.models.some((m) => m.id === id)) ?? [];
  if (unknown.length) throw new Error(`--only: no shipped baseline ${unknown.join(', ')} (index.json has ${index.models.map((m) => m.id).join(', ')})`);
  const models = (preset === 'quick' && !only ? ['custom-cnn-mnist', 'mobilenet-v1-0.5-cifar10'] : index.models.map((m) => m.id)).filter((id) => !only || only.includes(id));
  const outDir = join(ROOT, '.cache', 'bench-dist');
  process.stderr.write('building the studio...\n');
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 4199, strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const browserVersion = browser.version();
  const rows: Row[] = [];
  const peers: Record<string, PeerResult | PeerMissing> = {};
  const t0 = Date.now();
  const startedIso = new Date().toISOString();
  const watched = await watchBefore();
  const loadBefore = watched.end;
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}?bench`);
    await page.waitForFunction(() => !!window.studioBench, undefined, { timeout: 60_000 });
    for (const modelId of models) {
      for (const m of METHODS) {
        const job: JobRequest = { type: 'compress', modelId, backend: 'wasm', settings: { ...m.settings, evalLimit: limit, latencyRuns: 20 }, tflite: { evaluate: true, latencyRuns: 100 } };
        process.stderr.write(`${modelId} / ${m.label} ... `);
        const started = Date.now();
        const r = (await page.evaluate((j) => window.studioBench!.run(j), job)) as CompressJobResult;
        const seconds = (Date.now() - started) / 1000;
        process.stderr.write(`${seconds.toFixed(0)} s${r.tfliteError ? ` (TFLite: ${r.tfliteError.message})` : ''}\n`);
        rows.push(rowOf(modelId, m.label, r, seconds));
      }
      if (!args.includes('--no-peer')) {
        const entry = index.models.find((e) => e.id === modelId)!;
        process.stderr.write(`${modelId} / native peer (python3-torch) ... `);
        peers[modelId] = await runNativePeer({ modelId, first: entry.testData.first, count: Math.min(entry.testData.count, limit ?? Infinity), calibration: 500, threads: 2 });
        process.stderr.write(isMissing(peers[modelId]) ? `MISSING: ${(peers[modelId] as PeerMissing).missing}\n` : 'done\n');
      }
    }
    if (errors.length) process.stderr.write(`page errors: ${errors.join('; ')}\n`);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  // One run of the whole matrix (an hour for the full preset): its accuracy and size figures are
  // deterministic, its speed columns are single runs and are labelled so (bench:tflite and
  // bench:peer repeat their timings).
  const loadAfter = sampleLoad();
  const record = reproRecord(machineInfo(`Chromium ${browserVersion}`), [{ index: 0, value: null, wallMs: Date.now() - t0, loadBefore, loadAfter, verdict: judgeLoad(loadBefore, loadAfter, cpus().length, watched) }], startedIso);

  const lines: string[] = [];
  const machine = `${hostname()}`.replace(/[^a-z0-9-]/gi, '') || 'machine';
  lines.push(`# Benchmark ${new Date().toISOString().slice(0, 10)} on ${machine} (${cpus().length} CPUs, ${cpus()[0]?.model ?? ''}), preset ${preset}${record.underLoad ? ' (measured under load)' : ''}`);
  lines.push('');
  lines.push(...reproHeader(record));
  lines.push('');
  lines.push('**Speed columns (ms, img/s, job s) are single runs**, not reproducible figures: for int8 speed use `npm run bench:tflite`, for the native peer `npm run bench:peer`, which repeat their timings and report the spread.');
  lines.push('');
  const tfliteRuntimes = [...new Set(rows.map((r) => r.tfliteRuntime).filter(Boolean))].join('; ') || 'none ran';
  lines.push(
    `Studio figures: headless Chromium, the studio page and its Worker (tfjs wasm), then the exported .tflite files on TFLite\'s wasm runtime (${tfliteRuntimes}, 1 thread). Reduction is against dense float32 bytes, using gzip where pruning left zeros (zeros only shrink an encoding that skips them), else the format\'s own bytes.`,
  );
  lines.push('');
  lines.push('| model | method | test records | float32 B | int8 B | gzip B | .tflite B | size reduction | accuracy | macro recall | tfjs latency ms | TFLite float32 ms | TFLite int8 ms | TFLite int8 acc | job s |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    lines.push(
      `| ${r.modelId} | ${r.method} | ${r.testRecords} | ${r.float32Bytes} | ${r.int8Bytes} | ${r.gzipBytes} | ${r.tfliteBytes ?? '—'} | ${r.reductionPct.toFixed(2)}% (${r.reductionBasis}) | ${pct(r.accuracy)} | ${pct(r.macroRecall)} | ${ms(r.tfjsLatencyMs)} (${r.tfjsBackend}) | ${ms(r.tfliteFloatMs)} | ${ms(r.tfliteInt8Ms)} | ${pct(r.tfliteInt8Accuracy)} | ${r.jobSeconds.toFixed(0)} |`,
    );
  }
  lines.push('');
  lines.push(`Published (${STUDY_CITATION}):`);
  lines.push('');
  lines.push('| model | dataset | method | size reduction |');
  lines.push('|---|---|---|---|');
  for (const s of PUBLISHED_FIGURES) lines.push(`| ${s.model} | ${s.dataset} | ${STUDY_METHOD_INFO[s.method].label} | ${s.sizeReductionPct}% |`);
  lines.push('');
  lines.push('Native peer (python3-torch on the same weights and test records):');
  lines.push('');
  lines.push('| model | peer float acc | studio float acc | difference (points) | peer float img/s (batch 32) | studio tfjs img/s (batch 32) | studio / peer | peer int8 acc | peer int8 img/s | TFLite int8 ms vs peer int8 ms |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const id of Object.keys(peers)) {
    const p = peers[id];
    if (isMissing(p)) {
      lines.push(`| ${id} | MISSING: ${p.missing} | | | | | | | | |`);
      continue;
    }
    const baseRow = rows.find((r) => r.modelId === id && r.method === 'baseline')!;
    const int8Row = rows.find((r) => r.modelId === id && r.method === 'INT8 full-integer');
    const studioIps = baseRow.tfjsImagesPerSecond;
    const i8 = isInt8Supported(p.int8) ? p.int8 : undefined;
    lines.push(
      `| ${id} | ${pct(p.float.accuracy)} | ${pct(baseRow.accuracy)} | ${((baseRow.accuracy - p.float.accuracy) * 100).toFixed(2)} | ${p.float.imagesPerSecond.toFixed(0)} | ${studioIps.toFixed(0)} | ${(studioIps / p.float.imagesPerSecond).toFixed(2)} | ${i8 ? pct(i8.accuracy) : `unsupported: ${(p.int8 as { unsupported: string }).unsupported}`} | ${i8 ? i8.imagesPerSecond.toFixed(0) : '—'} | ${i8 && int8Row?.tfliteInt8Ms ? `${int8Row.tfliteInt8Ms.toFixed(2)} vs ${i8.latencyMsP50.toFixed(2)} (ratio ${(i8.latencyMsP50 / int8Row.tfliteInt8Ms).toFixed(2)})` : '—'} |`,
    );
  }
  lines.push('');
  for (const c of [...new Set(rows.flatMap((r) => r.caveats))]) lines.push(`Note: ${c}`);
  lines.push(`Total time: ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  const md = lines.join('\n');
  console.log(md);
  const dir = flag('out', join(ROOT, 'bench', 'results'))!;
  mkdirSync(dir, { recursive: true });
  const stem = `${new Date().toISOString().slice(0, 10)}-${machine}-${preset}${flag('name') ? `-${flag('name')!.replace(/[^a-z0-9-]/gi, '')}` : ''}${record.underLoad ? '-under-load' : ''}`;
  writeFileSync(join(dir, `${stem}.json`), JSON.stringify({ repro: record, preset, limit, machine: { host: machine, cpus: cpus().length, model: cpus()[0]?.model }, rows, peers, study: PUBLISHED_FIGURES }, null, 1));
  writeFileSync(join(dir, `${stem}.md`), md + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
