/** `npm run cli -- compress`: flags -> CompressSettings -> the engine's compress job -> report. */
import { readFile } from 'node:fs/promises';
import { StudioError } from '../../src/engine/errors';
import { compressBaseline, type CompressedModels, type CompressResult } from '../../src/engine/jobs/compress';
import { type PartialCompressSettings, type PruneMethod, withDefaults } from '../../src/engine/jobs/compress-settings';
import type { LayerKind } from '../../src/engine/prune/unstructured';
import { prepareTrainingBackend, type TrainingBackendChoice } from '../../src/engine/train/training-backend';
import type { BaselineEntry } from '../../src/engine/types';
import { readIndex, readPublic } from './node-io';

type Flags = Record<string, string | boolean>;

function num(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new StudioError('bad-settings', `--${name} must be a number, got "${String(v)}".`, { flag: name });
  return n;
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (typeof v === 'boolean') throw new StudioError('bad-settings', `--${name} needs a value.`, { flag: name });
  return v;
}

/** --model may be a baseline id (custom-cnn-mnist) or an architecture with --dataset. */
export async function findBaseline(flags: Flags): Promise<BaselineEntry> {
  const model = str(flags, 'model') ?? '';
  const dataset = str(flags, 'dataset');
  const index = await readIndex();
  const entry = index.models.find((m) => m.id === model && (!dataset || m.dataset === dataset)) ?? index.models.find((m) => dataset && m.dataset === dataset && m.id === `${model}-${dataset}`);
  if (!entry) {
    throw new StudioError('bad-settings', `No shipped baseline for --model ${model || '(missing)'}${dataset ? ` --dataset ${dataset}` : ''}. Baselines: ${index.models.map((m) => `${m.id} (${m.dataset})`).join(', ')}.`, { model, dataset });
  }
  return entry;
}

export function settingsFromFlags(flags: Flags, base: PartialCompressSettings = {}): PartialCompressSettings {
  const s: PartialCompressSettings = structuredClone(base);
  s.prune ??= {};
  s.finetune ??= {};
  s.quant ??= {};
  s.quant.calibration ??= {};
  const sparsity = num(flags, 'prune');
  if (sparsity !== undefined) s.prune.sparsity = sparsity;
  const method = str(flags, 'prune-method') as PruneMethod | undefined;
  if (method) s.prune.method = method;
  else if (sparsity === undefined && !base.prune?.method) s.prune.method = 'none';
  if (flags.schedule === 'gradual') s.prune.schedule = { kind: 'gradual', initialSparsity: num(flags, 'initial-sparsity') ?? 0, power: 3 };
  else if (flags.schedule !== undefined && flags.schedule !== 'one-shot') throw new StudioError('bad-settings', `--schedule must be one-shot or gradual, got "${String(flags.schedule)}".`);
  const layers = str(flags, 'layers');
  if (layers) s.prune.layerKinds = layers.split(',') as LayerKind[];
  if (flags['spare-first-last']) s.prune.spareFirstLast = true;
  const criterion = str(flags, 'criterion');
  if (criterion) s.prune.criterion = criterion as 'l1' | 'l2';
  const nm = str(flags, 'nm');
  if (nm) {
    const m = /^(\d+):(\d+)$/.exec(nm);
    if (!m) throw new StudioError('bad-settings', `--nm must look like 2:4, got "${nm}".`);
    s.prune.n = Number(m[1]);
    s.prune.m = Number(m[2]);
    s.prune.method ??= 'n:m';
    if (s.prune.method === 'none') s.prune.method = 'n:m';
  }
  for (const [flag, key] of [['epochs', 'epochs'], ['batch', 'batchSize'], ['lr', 'learningRate'], ['seed', 'seed'], ['train-limit', 'trainLimit'], ['max-steps', 'maxSteps']] as const) {
    const v = num(flags, flag);
    if (v !== undefined) s.finetune[key] = v;
  }
  const optimizer = str(flags, 'optimizer');
  if (optimizer) s.finetune.optimizer = optimizer as 'adam' | 'sgd-momentum';
  const quant = str(flags, 'quant');
  if (quant) s.quant.mode = quant as 'int8';
  else if (!base.quant?.mode) s.quant.mode = 'none';
  if (flags['per-tensor']) s.quant.granularity = 'per-tensor';
  const cal = str(flags, 'calibration');
  if (cal) s.quant.calibration.method = cal as 'minmax';
  const samples = num(flags, 'calibration-samples');
  if (samples !== undefined) s.quant.calibration.samples = samples;
  const pct = num(flags, 'percentile');
  if (pct !== undefined) s.quant.calibration.percentile = pct;
  const limit = num(flags, 'limit');
  if (limit !== undefined) s.evalLimit = limit;
  const runs = num(flags, 'latency-runs');
  if (runs !== undefined) s.latencyRuns = runs;
  return s;
}

export async function compressFromFlags(flags: Flags, log: (s: string) => void, bar: (f: number) => string, onModels?: (m: CompressedModels) => void): Promise<CompressResult & { trainingBackendNote?: string }> {
  const entry = await findBaseline(flags);
  let base: PartialCompressSettings = {};
  const file = str(flags, 'settings');
  if (file) {
    try {
      base = JSON.parse(await readFile(file, 'utf8')) as PartialCompressSettings;
    } catch (e) {
      throw new StudioError('bad-settings', `--settings ${file}: ${(e as Error).message}`, { fileName: file });
    }
  }
  const settings = withDefaults(settingsFromFlags(flags, base));
  const backend = await prepareTrainingBackend((str(flags, 'backend') as TrainingBackendChoice | undefined) ?? 'wasm');
  log(`compressing ${entry.id} on ${backend.backend}${backend.note ? ` (${backend.note})` : ''}\n`);
  const r = await compressBaseline(entry, settings, {
    read: readPublic,
    onProgress: (stage, done, total, p) => {
      const extra = p ? ` loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(0)} img/s ${Math.ceil(p.secondsLeft)} s left` : '';
      log(`\r${stage.padEnd(16)} ${bar(total ? done / total : 0)} ${done}/${total}${extra}   `);
    },
    onModels,
  });
  log('\n');
  return { ...r, trainingBackendNote: backend.note };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const change = (a: number, b: number) => (a === 0 ? '' : `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`);

export function printCompressTable(r: CompressResult): void {
  const b = r.before;
  const a = r.after;
  const rows: Array<[string, string, string, string]> = [
    ['accuracy', pct(b.metrics.accuracy), pct(a.metrics.accuracy), `${((a.metrics.accuracy - b.metrics.accuracy) * 100).toFixed(2)} pts`],
    ['macro recall', pct(b.metrics.macroRecall), pct(a.metrics.macroRecall), `${((a.metrics.macroRecall - b.metrics.macroRecall) * 100).toFixed(2)} pts`],
    ['params (non-zero)', `${b.nonZeroParams}`, `${a.nonZeroParams}`, change(b.nonZeroParams, a.nonZeroParams)],
    [`size (${b.format} -> ${a.format})`, kb(b.size.deployedBytes), kb(a.size.deployedBytes), change(b.size.deployedBytes, a.size.deployedBytes)],
    ['size gzip', kb(b.size.gzipBytes), kb(a.size.gzipBytes), change(b.size.gzipBytes, a.size.gzipBytes)],
    ['MACs (effective)', `${b.effectiveMacs}`, `${a.effectiveMacs}`, change(b.effectiveMacs, a.effectiveMacs)],
    ['peak activations', kb(b.activationMemory.peakFloat32Bytes), kb(a.format === 'int8' ? a.activationMemory.peakInt8Bytes : a.activationMemory.peakFloat32Bytes), ''],
    ['latency p50 (batch 1)', `${b.latency.medianMs.toFixed(2)} ms`, `${a.latency.medianMs.toFixed(2)} ms`, change(b.latency.medianMs, a.latency.medianMs)],
    ['throughput (batch 32)', `${b.throughput.imagesPerSecond.toFixed(0)} img/s`, `${a.throughput.imagesPerSecond.toFixed(0)} img/s`, change(b.throughput.imagesPerSecond, a.throughput.imagesPerSecond)],
  ];
  console.log(`${r.modelId} on ${r.dataset}, test records ${r.testRecords.first}-${r.testRecords.first + r.testRecords.count - 1}, backend ${r.backend}`);
  console.log(`${'metric'.padEnd(26)}${'before'.padStart(16)}${'after'.padStart(16)}${'change'.padStart(12)}`);
  for (const [k, x, y, c] of rows) console.log(`${k.padEnd(26)}${x.padStart(16)}${y.padStart(16)}${c.padStart(12)}`);
  for (const st of r.stages) console.log(`stage ${st.stage}: ${(st.elapsedMs / 1000).toFixed(1)} s${st.accuracy !== undefined ? `, accuracy ${pct(st.accuracy)}` : ''}`);
  console.log(`latency: ${a.latencyNote}`);
  for (const c of r.caveats) console.log(`note: ${c}`);
}
