/** `npm run cli -- compress`: flags (compress-flags.ts) -> CompressSettings -> the engine's compress job -> report. */
import { readFile } from 'node:fs/promises';
import { StudioError } from '../../src/engine/errors';
import { measureMacPerSecond } from '../../src/engine/jobs/device-speed';
import { describeEstimate, estimateCompress } from '../../src/engine/jobs/estimate-compress';
import { compressBaseline, type CompressedModels, type CompressResult } from '../../src/engine/jobs/compress';
import { BACKENDS } from '../../src/engine/choices/train';
import { type CompressSettings, type PartialCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { BaselineEntry } from '../../src/engine/types';
import { settingsFromFlags } from './compress-flags';
import { choice, type Flags, str } from './flags';
import { readIndex, readPublic } from './node-io';
import { stageLine } from './stage-line';
import { loadLayersModel } from '../../src/engine/models/load';
import { graphFromLayersModel } from '../../src/engine/graph/from-layers';
import type { Graph } from '../../src/engine/graph/ir';

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

/**
 * The settings `compress` runs with: --settings file, then the flags over it, then the defaults.
 * With --auto, `adjust` gives the search's recipe its own defaults before the engine's.
 */
export async function settingsOf(flags: Flags, adjust?: (s: PartialCompressSettings, base: PartialCompressSettings) => void): Promise<CompressSettings> {
  let base: PartialCompressSettings = {};
  const file = str(flags, 'settings');
  if (file) {
    try {
      base = JSON.parse(await readFile(file, 'utf8')) as PartialCompressSettings;
    } catch (e) {
      throw new StudioError('bad-settings', `--settings ${file}: ${(e as Error).message}`, { fileName: file });
    }
  }
  const s = settingsFromFlags(flags, base);
  adjust?.(s, base);
  return withDefaults(s);
}

export async function compressFromFlags(flags: Flags, log: (s: string) => void, bar: (f: number) => string, onModels?: (m: CompressedModels) => void): Promise<CompressResult & { backendNote?: string }> {
  return compressWith(await findBaseline(flags), await settingsOf(flags), flags, log, bar, onModels);
}

/** The compress job on `entry` with `settings` (the flags give the backend and --yes), with a progress line. */
export async function compressWith(
  entry: BaselineEntry,
  settings: CompressSettings,
  flags: Flags,
  log: (s: string) => void,
  bar: (f: number) => string,
  onModels?: (m: CompressedModels) => void,
): Promise<CompressResult & { backendNote?: string }> {
  const backend = await prepareTrainingBackend(choice(flags, 'backend', BACKENDS) ?? 'wasm');
  log(`compressing ${entry.id} on ${backend.backend}${backend.note ? ` (${backend.note})` : ''}\n`);
  await refuseLongJob(entry, settings, flags);
  const r = await compressBaseline(entry, settings, {
    read: readPublic,
    onProgress: (stage, done, total, p) => {
      const extra = p ? ` loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(0)} img/s ${Math.ceil(p.secondsLeft)} s left` : '';
      log(`\r${stage.padEnd(16)} ${bar(total ? done / total : 0)} ${done}/${total}${extra}   `);
    },
    onModels,
  });
  log('\n');
  return { ...r, backendNote: backend.note };
}

/**
 * A multi-hour job (e.g. fine-tuning VGG16 on a CPU) is refused unless asked for with --yes. The
 * automatic search asks this of the compression that follows it before it starts searching.
 */
export async function refuseLongJob(entry: BaselineEntry, settings: CompressSettings, flags: Flags): Promise<void> {
  const estimate = estimateCompress(entry, settings, await graphOf(entry), await measureMacPerSecond());
  if (estimate.needsConfirmation && !flags.yes) {
    throw new StudioError('bad-settings', `this job is estimated at ${describeEstimate(estimate)}; run it with --yes to start it anyway`);
  }
}

/** The model's graph (weights included: reconstruction's estimate needs its layer shapes). */
async function graphOf(entry: BaselineEntry): Promise<Graph> {
  const loaded = await loadLayersModel(entry.path, readPublic, entry.files);
  try {
    return graphFromLayersModel(loaded.model);
  } finally {
    loaded.model.dispose();
  }
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
  for (const st of r.stages) console.log(stageLine(st));
  console.log(`latency: ${a.latencyNote}`);
  for (const c of r.caveats) console.log(`note: ${c}`);
}
