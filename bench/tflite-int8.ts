/**
 * Real int8 against float32 on one runtime, for each of the studio's two TFLite wasm runtimes
 * (LiteRT.js, the default, and @tensorflow/tfjs-tflite; both XNNPACK) in headless Chromium, batch 1,
 * for the custom CNN (MNIST) and MobileNetV1 1.0 and 0.5 (CIFAR-10). Prints each model's median
 * latency and the ratio float32 / int8 on the same runtime, as the median and spread of
 * `--repeats` (default 3) repeats, with the machine, the browser and the load (bench/lib/repro.ts).
 *
 *   npm run bench:tflite -- [--repeats 3] [--record] [--runtime litert,tfjs-tflite] [--only mnist,mobilenet1,mobilenet,fashion,cifar,mobilenet025|all] [--threads 1,2] [--batch 1,8,32] [--profile 50] [--runs 1000] [--op-runs 300] [--limit 200] [--js-flags "--no-enable-avx-vnni"] [--json out.json]
 *
 * --record writes bench/results/<date>-<machine>-tflite-runtimes[-under-load].{md,json}.
 * --js-flags passes V8 flags to Chromium: "--no-enable-avx-vnni" shows what a CPU without AVX-VNNI
 * gets (LiteRT.js' int8 then falls back from relaxed-SIMD to SIMD128 kernels: see README).
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
 *    With --batch 8,32 the same graphs are exported with a wider batch axis (not what the studio
 *    downloads; for telling per-invoke overhead from kernel time) and timed per image.
 *    The runtimes run one after the other, each in a worker of its own; LiteRT.js cannot carry
 *    int8 tensors in JS, so the int8-I/O file runs on tfjs-tflite only.
 * 3. Per-op breakdown, on tfjs-tflite only (LiteRT.js has no profiler in JS, and the single
 *    operators below have int8 tensors at their edges, which its JS API cannot pass): the worker
 *    reruns each file with TFLite's profiler on (--profile invokes,
 *    on a second copy so it never slows the timed runs). That profiler sees an XNNPACK-delegated
 *    graph as one node, so the bench also cuts each operator of the batch-1 files out as its own
 *    .tflite (tflite-ops.ts) and times float32 and int8 of each interleaved (--op-runs invokes,
 *    less the invoke of an empty model): which ops gain from int8 and which lose.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { exportCompressed } from '../src/engine/export/compress-exports';
import { exportFloat32Tflite, exportInt8Tflite } from '../src/engine/export/tflite/export';
import { float32TfliteModel, int8TfliteModel } from '../src/engine/export/tflite/from-graph';
import { writeTflite } from '../src/engine/export/tflite/writer';
import { compressBaseline, type CompressedModels } from '../src/engine/jobs/compress';
import { withDefaults } from '../src/engine/jobs/compress-settings';
import type { OpProfile, TfliteEvalModel, TfliteEvalResult, TfliteTiming } from '../src/engine/jobs/tflite-eval';
import { prepareTrainingBackend } from '../src/engine/train/training-backend';
import type { RuntimeId } from '../src/engine/runtime/model-runtime';
import type { TfliteWorkerRequest, TfliteWorkerResponse } from '../src/workers/tflite-protocol';
import { readIndex, readPublic, ROOT } from '../tools/cli/node-io';
import { formatSpread, machineInfo, type RepeatRecord, repeatRuns, reproHeader, reproRecord, type Spread, summarise, writeResult } from './lib/repro';
import { emptyModel, type SingleOp, singleOpModels } from './tflite-ops';
import { browserPath } from '../tools/check/browser';
import { checkRuntime, RUNTIMES, TFLITE_RUNTIMES } from '../src/engine/choices/deploy';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
/** Every shipped baseline; the default run times the first three (`--only all` times all six). */
const ALL_CASES = [
  { key: 'mnist', modelId: 'custom-cnn-mnist', label: 'custom CNN, MNIST' },
  { key: 'mobilenet1', modelId: 'mobilenet-v1-1-cifar10', label: 'MobileNetV1 1.0, CIFAR-10' },
  { key: 'mobilenet', modelId: 'mobilenet-v1-0.5-cifar10', label: 'MobileNetV1 0.5, CIFAR-10' },
  { key: 'fashion', modelId: 'custom-cnn-fashion-mnist', label: 'custom CNN, Fashion-MNIST' },
  { key: 'cifar', modelId: 'custom-cnn-cifar10', label: 'custom CNN, CIFAR-10' },
  { key: 'mobilenet025', modelId: 'mobilenet-v1-0.25-cifar10', label: 'MobileNetV1 0.25, CIFAR-10' },
];
const only = flag('only', 'mnist,mobilenet1,mobilenet')!;
const CASES = only === 'all' ? ALL_CASES : ALL_CASES.filter((c) => only.split(',').includes(c.key));
const runtimes = (flag('runtime', RUNTIMES.map((r) => r.id).join(',')) ?? '').split(',').map((r) => checkRuntime(r, '--runtime'));
const threads = (flag('threads', '1') ?? '1').split(',').map(Number);
const batches = (flag('batch', '1') ?? '1').split(',').map(Number);
const profileRuns = Number(flag('profile', '50'));
const opRuns = Number(flag('op-runs', '300'));
const runs = Number(flag('runs', '1000'));
const limit = Number(flag('limit', '200'));
const repeats = Number(flag('repeats', '3'));
/** V8 flags for the browser, e.g. "--no-enable-avx-vnni" to see how a CPU without AVX-VNNI fares. */
const jsFlags = flag('js-flags');

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
  // Batch 1 is what the studio downloads; larger batches are the same graphs with a wider batch axis.
  const filesFor = (batch: number, runtime: RuntimeId): TfliteEvalModel[] =>
    batch === 1
      ? [{ label: 'int8', bytes: int8.bytes }, ...(runtime === 'tfjs-tflite' ? [{ label: 'int8 (int8 I/O)', bytes: int8io.bytes }] : []), { label: 'float32', bytes: float32.bytes }]
      : [
          { label: 'int8', bytes: exportInt8Tflite(models!.quantized!, { batch }).bytes },
          { label: 'float32', bytes: exportFloat32Tflite(models!.compressed, { batch }).bytes },
        ];
  // The batch-1 files cut into single operators (the same bytes per op as in the files above).
  const f32Ops = singleOpModels(float32TfliteModel(models!.compressed));
  const i8Ops = singleOpModels(int8TfliteModel(models!.quantized!));
  return {
    entry,
    simulated: r.after.metrics.accuracy,
    filesFor,
    f32Ops,
    i8Ops,
    reference: exports.predictions.compressed,
  };
}

interface Row {
  model: string;
  runtimeId: RuntimeId;
  threads: number;
  batch: number;
  runtime: string;
  int8Ms: number;
  int8IoMs: number;
  float32Ms: number;
  ratio: number;
  ratioInt8Io: number;
  int8Accuracy: number;
  simulatedAccuracy: number;
  agreement?: number;
  records: number;
  runs: number;
}

type Prepared = Awaited<ReturnType<typeof exportFiles>> & (typeof CASES)[number];

/** One repeat: every model on every runtime, thread count and batch, each in a fresh worker. */
async function measureOnce(page: Page, base: string, prepared: Prepared[], profile: boolean, profiles: ProfiledFile[], opRows: OpRows[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const p of prepared) {
    for (const rt of runtimes)
      for (const t of threads)
        for (const batch of batches) {
          process.stderr.write(`${p.modelId}: ${rt}, ${t} thread(s), batch ${batch}, ${runs} timed runs per file ...\n`);
          const batchRuns = Math.max(20, Math.round(runs / batch));
          const profiled = profile && rt === 'tfjs-tflite' && profileRuns > 0 ? Math.max(5, Math.round(profileRuns / batch)) : 0;
          const req: TfliteWorkerRequest = {
            kind: 'evaluate',
            entry: p.entry,
            models: p.filesFor(batch, rt),
            settings: { limit, latencyRuns: batchRuns, warmup: Math.max(5, Math.round(50 / batch)), profileRuns: profiled, reference: { label: 'simulated int8', predictions: p.reference } },
            runtime: rt,
            wasmPath: new URL(TFLITE_RUNTIMES.get(rt).wasmFolder, base).href,
            numThreads: t,
          };
          const result = await inWorker<TfliteEvalResult>(page, base, req);
          // Per image: one invoke runs `batch` images.
          const ms = (label: string) => {
            const m = result.models.find((e) => e.label === label);
            return m ? m.latency.medianMs / batch : NaN;
          };
          const int8 = result.models.find((m) => m.label === 'int8')!;
          for (const m of result.models) if (m.profile) profiles.push({ model: p.label, threads: t, batch, label: m.label, profile: m.profile, medianMs: m.latency.medianMs });
          rows.push({
            model: p.label,
            runtimeId: rt,
            threads: t,
            batch,
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
            runs: batchRuns,
          });
          // Single operators have int8 input and output tensors, which LiteRT.js cannot carry.
          if (batch === 1 && opRuns > 0 && rt === 'tfjs-tflite') {
            process.stderr.write(`${p.modelId}: ${rt}, ${t} thread(s), single operators, ${opRuns} timed runs each ...\n`);
            opRows.push(await timeOps(page, base, p, rt, t, ms('float32'), ms('int8')));
          }
        }
  }
  return rows;
}

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  await prepareTrainingBackend('wasm');
  const prepared: Prepared[] = [];
  for (const c of CASES) {
    process.stderr.write(`quantizing and exporting ${c.modelId} ...\n`);
    prepared.push({ ...c, ...(await exportFiles(c.modelId)) });
  }
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: Number(flag('port', '4181')), strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', ...(jsFlags ? [`--js-flags=${jsFlags}`] : [])],
  });
  const machine = machineInfo(`Chromium ${browser.version()}${jsFlags ? ` (--js-flags=${jsFlags})` : ''}`);
  const profiles: ProfiledFile[] = [];
  const opRows: OpRows[][] = [];
  let repeatsDone: Array<RepeatRecord<Row[]>> = [];
  try {
    const page = await browser.newPage();
    await page.goto(base);
    repeatsDone = await repeatRuns(
      repeats,
      async (i) => {
        process.stderr.write(`repeat ${i + 1} of ${repeats}\n`);
        const ops: OpRows[] = [];
        // The profiler's tables are diagnostics, not speed figures: the first repeat's are enough.
        const rows = await measureOnce(page, base, prepared, i === 0, profiles, ops);
        opRows.push(ops);
        return rows;
      },
      {
        allowFewer: args.includes('--allow-fewer'),
        onRun: (r) => process.stderr.write(`repeat ${r.index + 1}: load ${r.loadBefore.load1.toFixed(2)} -> ${r.loadAfter.load1.toFixed(2)}${r.verdict.underLoad ? ` UNDER LOAD (${r.verdict.reasons.join('; ')})` : ''}\n`),
      },
    );
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const record = reproRecord(machine, repeatsDone, startedIso);
  const summary = summariseRows(repeatsDone.map((r) => r.value));
  const lines: string[] = [];
  lines.push(...formatProfiles(profiles));
  lines.push(...formatOpTables(opRows));
  lines.push(...formatSummary(summary));
  console.log(`\n${reproHeader(record).join('\n')}`);
  console.log(lines.join('\n'));
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
  const data = { rows: repeatsDone.map((r) => r.value), summary, profiles };
  const out = flag('json');
  if (out) writeFileSync(out, JSON.stringify({ repro: record, ...data }, null, 1));
  if (args.includes('--record')) {
    const files = writeResult(ROOT, 'tflite-runtimes', record, 'bench:tflite: int8 against float32 on the TFLite wasm runtimes', `\`\`\`\n${lines.join('\n')}\n\`\`\``, data);
    console.log(`\nwrote ${files.md} and ${files.json}`);
  }
}

interface SummaryRow {
  model: string;
  runtimeId: RuntimeId;
  runtime: string;
  threads: number;
  batch: number;
  int8Ms: Spread;
  int8IoMs: Spread;
  float32Ms: Spread;
  ratio: Spread;
  ratioInt8Io: Spread;
  int8Accuracy: number;
  simulatedAccuracy: number;
  agreement?: number;
}

/** Per (model, runtime, threads, batch): each figure's median and spread over the repeats. */
function summariseRows(perRepeat: Row[][]): SummaryRow[] {
  return perRepeat[0].map((first, k) => {
    const all = perRepeat.map((rows) => rows[k]);
    const s = (f: (r: Row) => number) => summarise(all.map(f));
    return {
      model: first.model,
      runtimeId: first.runtimeId,
      runtime: first.runtime,
      threads: first.threads,
      batch: first.batch,
      int8Ms: s((r) => r.int8Ms),
      int8IoMs: s((r) => r.int8IoMs),
      float32Ms: s((r) => r.float32Ms),
      ratio: s((r) => r.ratio),
      ratioInt8Io: s((r) => r.ratioInt8Io),
      int8Accuracy: first.int8Accuracy,
      simulatedAccuracy: first.simulatedAccuracy,
      agreement: first.agreement,
    };
  });
}

function formatSummary(rows: SummaryRow[]): string[] {
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);
  const lines = [`\nTFLite int8 vs float32 on the same runtime, latency per image (each repeat: the median of ${runs} invokes per file, interleaved in blocks of 10; batch B: one invoke / B).`];
  lines.push(`Each cell: median of the repeats (min-max, spread). Accuracy on ${limit} records (the same in every repeat).`);
  for (const rt of runtimes) lines.push(`  ${rt}: ${rows.find((r) => r.runtimeId === rt)?.runtime ?? ''}`);
  lines.push('');
  lines.push('| model | runtime | threads | batch | int8 ms | int8-I/O ms | float32 ms | float32 / int8 | float32 / int8-I/O | accuracy int8 (simulated), agreement |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = `**${formatSpread(r.ratio, 2, 'x')}**`;
    lines.push(
      `| ${r.model} | ${r.runtimeId} | ${r.threads} | ${r.batch} | ${formatSpread(r.int8Ms)} | ${formatSpread(r.int8IoMs)} | ${formatSpread(r.float32Ms)} | ${ratio} | ${formatSpread(r.ratioInt8Io, 2, 'x')} | ${pct(r.int8Accuracy)} (${pct(r.simulatedAccuracy)}), ${pct(r.agreement)} |`,
    );
  }
  return lines;
}

/**
 * Per op type (and the kernel TFLite picked: XNNPACK's name for delegated ops, the builtin's op
 * name otherwise), float32 against int8, with each side's share of its own profiled total.
 */
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>['newPage']>>;

async function inWorker<T>(page: Page, base: string, req: TfliteWorkerRequest): Promise<T> {
  return page.evaluate(
    ([url, request]) =>
      new Promise<T>((resolve, reject) => {
        const w = new Worker(url, { type: 'module' });
        w.onerror = (e) => reject(new Error(`TFLite worker: ${e.message}`));
        w.onmessage = (ev: MessageEvent<TfliteWorkerResponse>) => {
          if (ev.data.kind === 'progress') return;
          w.terminate();
          if (ev.data.kind === 'error') reject(new Error(ev.data.error.message));
          else resolve((ev.data.kind === 'timed' ? ev.data.timings : ev.data.kind === 'chosen' ? ev.data.choice : ev.data.result) as T);
        };
        w.postMessage(request);
      }),
    [`${base}assets/${tfliteWorker}`, req] as const,
  );
}

/** One model's single operators on one runtime, in one repeat (ms per invoke, the empty invoke's included). */
interface OpRows {
  title: string;
  emptyMs: number;
  wholeF32: number;
  wholeI8: number;
  ops: Array<{ layer: string; op: string; shapes: string; f32?: number; i8?: number }>;
}

/**
 * Each operator of the batch-1 files alone, float32 and int8 timed interleaved, plus an empty
 * model for the invoke's own cost: where int8 gains and where it loses.
 */
async function timeOps(page: Page, base: string, p: { label: string; f32Ops: SingleOp[]; i8Ops: SingleOp[] }, runtime: RuntimeId, threads: number, wholeF32: number, wholeI8: number): Promise<OpRows> {
  const file = (label: string, op: SingleOp) => ({ label, bytes: writeTflite(op.model) });
  const ops: OpRows['ops'] = [];
  const groups = [[{ label: 'empty', bytes: writeTflite(emptyModel()) }]];
  for (const i8 of p.i8Ops) {
    const f32 = p.f32Ops.find((o) => o.output === i8.output && o.op === i8.op);
    ops.push({ layer: i8.output, op: i8.op, shapes: i8.shapes });
    groups.push(f32 ? [file('float32', f32), file('int8', i8)] : [file('int8', i8)]);
  }
  for (const f32 of p.f32Ops) {
    if (p.i8Ops.some((o) => o.output === f32.output && o.op === f32.op)) continue;
    ops.push({ layer: f32.output, op: f32.op, shapes: f32.shapes });
    groups.push([file('float32', f32)]);
  }
  const timings = await inWorker<TfliteTiming[][]>(page, base, { kind: 'time', groups, runs: opRuns, warmup: 30, runtime, wasmPath: new URL(TFLITE_RUNTIMES.get(runtime).wasmFolder, base).href, numThreads: threads });
  timings.slice(1).forEach((g, k) => {
    ops[k].f32 = g.find((x) => x.label === 'float32')?.medianMs;
    ops[k].i8 = g.find((x) => x.label === 'int8')?.medianMs;
  });
  return { title: `${p.label}, ${runtime}, ${threads} thread(s), batch 1`, emptyMs: timings[0][0].medianMs, wholeF32, wholeI8, ops };
}

/** The single-operator tables, each figure the median over the repeats. */
function formatOpTables(perRepeat: OpRows[][]): string[] {
  if (!perRepeat.length || !perRepeat[0].length) return [];
  const med = (xs: Array<number | undefined>) => (xs.some((x) => x === undefined) ? undefined : summarise(xs as number[]).median);
  const lines: string[] = [];
  perRepeat[0].forEach((first, t) => {
    const all = perRepeat.map((r) => r[t]);
    const empty = med(all.map((a) => a.emptyMs))!;
    // An op's own time: its invoke less the empty invoke.
    const own = (x?: number) => (x === undefined ? undefined : Math.max(0, x - empty));
    const fmt = (x?: number) => (x === undefined ? '-' : x.toFixed(3));
    const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || a < 0.01 || b < 0.01 ? '-' : `${(a / b).toFixed(2)}x`);
    const rows = first.ops.map((o, k) => ({ ...o, f32: own(med(all.map((a) => a.ops[k].f32))), i8: own(med(all.map((a) => a.ops[k].i8))) }));
    lines.push(`\nSingle operators, ${first.title} (each op cut out as its own .tflite; median over ${all.length} repeat(s) of the median of ${opRuns} invokes, less the empty invoke, ${empty.toFixed(3)} ms)`);
    lines.push(`  ${'layer'.padEnd(16)}${'op'.padEnd(19)}${'shapes'.padEnd(30)}${'f32 ms'.padStart(8)}${'int8 ms'.padStart(9)}${'f32/int8'.padStart(10)}`);
    for (const r of rows) lines.push(`  ${r.layer.slice(0, 15).padEnd(16)}${r.op.padEnd(19)}${r.shapes.padEnd(30)}${fmt(r.f32).padStart(8)}${fmt(r.i8).padStart(9)}${ratio(r.f32, r.i8).padStart(10)}`);
    const byOp = new Map<string, { f32: number; i8: number }>();
    for (const r of rows) {
      const s = byOp.get(r.op) ?? { f32: 0, i8: 0 };
      s.f32 += r.f32 ?? 0;
      s.i8 += r.i8 ?? 0;
      byOp.set(r.op, s);
    }
    const sumF = [...byOp.values()].reduce((a, s) => a + s.f32, 0);
    const sumI = [...byOp.values()].reduce((a, s) => a + s.i8, 0);
    const wholeF32 = med(all.map((a) => a.wholeF32))!;
    const wholeI8 = med(all.map((a) => a.wholeI8))!;
    lines.push(`  by op type: ${[...byOp].map(([op, s]) => `${op} ${s.f32.toFixed(3)} / ${s.i8.toFixed(3)} ms (${ratio(s.f32, s.i8)})`).join('; ')}`);
    lines.push('  (a single op includes copying its input into the interpreter; the whole files copy only the image in and 10 values out)');
    lines.push(
      `  ops alone: float32 ${sumF.toFixed(3)} ms, int8 ${sumI.toFixed(3)} ms (${ratio(sumF, sumI)}); whole files: float32 ${wholeF32.toFixed(3)} ms, int8 ${wholeI8.toFixed(3)} ms (${ratio(wholeF32, wholeI8)}), of which one invoke's own cost ~${empty.toFixed(3)} ms`,
    );
  });
  return lines;
}

interface ProfiledFile {
  model: string;
  threads: number;
  batch: number;
  label: string;
  profile: OpProfile;
  medianMs: number;
}

/**
 * Per op type (and the kernel TFLite picked: XNNPACK's name for delegated ops, the builtin's op
 * name otherwise), float32 against int8, with each side's share of its own profiled total. From
 * the first repeat only: the profiler's tables say where time goes, not how fast a file runs.
 */
function formatProfiles(list: ProfiledFile[]): string[] {
  const lines: string[] = [];
  const keyOf = (m: string, t: number, b: number) => `${m} | ${t} thread(s) | batch ${b}`;
  const groups = new Map<string, ProfiledFile[]>();
  for (const p of list) groups.set(keyOf(p.model, p.threads, p.batch), [...(groups.get(keyOf(p.model, p.threads, p.batch)) ?? []), p]);
  for (const [key, ps] of groups) {
    const f32 = ps.find((p) => p.label === 'float32');
    const i8 = ps.find((p) => p.label === 'int8');
    if (!f32 || !i8) continue;
    lines.push(`\nPer-op profile, ${key} (TFLite profiler, first repeat, mean ms per invoke over ${i8.profile.runs} profiled invokes; timed median per invoke in brackets)`);
    lines.push(
      `  float32: ops ${f32.profile.totalMsPerRun.toFixed(3)} ms [${f32.medianMs.toFixed(3)}]   int8: ops ${i8.profile.totalMsPerRun.toFixed(3)} ms [${i8.medianMs.toFixed(3)}]   ops ratio ${(f32.profile.totalMsPerRun / i8.profile.totalMsPerRun).toFixed(2)}x`,
    );
    lines.push(`  ${'float32 op / kernel'.padEnd(54)}${'n'.padStart(4)}${'ms'.padStart(8)}${'share'.padStart(7)}   ${'int8 op / kernel'.padEnd(54)}${'n'.padStart(4)}${'ms'.padStart(8)}${'share'.padStart(7)}`);
    const n = Math.max(f32.profile.ops.length, i8.profile.ops.length);
    const cell = (p: OpProfile, i: number) => {
      const r = p.ops[i];
      if (!r) return ''.padEnd(73);
      const name = `${r.op === 'TfLiteXNNPackDelegate' ? 'XNNPACK' : r.op}: ${r.node}`.slice(0, 53);
      return `${name.padEnd(54)}${String(Math.round(r.count * 100) / 100).padStart(4)}${r.msPerRun.toFixed(3).padStart(8)}${`${((r.msPerRun / p.totalMsPerRun) * 100).toFixed(0)}%`.padStart(7)}`;
    };
    for (let i = 0; i < n; i++) lines.push(`  ${cell(f32.profile, i)}   ${cell(i8.profile, i)}`);
  }
  return lines;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
