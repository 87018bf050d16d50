/**
 * Run history as files: a versioned JSON envelope (every record as stored) and a flat CSV (one row
 * per run, units in the column names). CSV cells are quoted where needed, and a cell a
 * spreadsheet would read as a formula (a user-typed name starting with = + - @) is prefixed with
 * an apostrophe.
 */
import { QUANT_MODES } from '../engine/choices/quantize';
import { pruneMethodOf } from '../engine/jobs/compress-settings';
import type { RunRecord } from './run-record';

export const HISTORY_EXPORT_FORMAT = 'compression-studio-history';
export const HISTORY_EXPORT_VERSION = 1;

export interface HistoryExport {
  format: typeof HISTORY_EXPORT_FORMAT;
  version: typeof HISTORY_EXPORT_VERSION;
  exportedAt: string;
  runs: RunRecord[];
}

export function historyJson(runs: RunRecord[], now = new Date()): string {
  const doc: HistoryExport = { format: HISTORY_EXPORT_FORMAT, version: HISTORY_EXPORT_VERSION, exportedAt: now.toISOString(), runs };
  return JSON.stringify(doc, null, 1);
}

type Cell = string | number | boolean | undefined;

const COLUMNS: ReadonlyArray<[string, (r: RunRecord) => Cell]> = [
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['finished', (r) => new Date(r.createdAt).toISOString()],
  ['model', (r) => r.modelId],
  ['dataset', (r) => r.result.dataset],
  ['test_first', (r) => r.result.testRecords.first],
  ['test_count', (r) => r.result.testRecords.count],
  ['backend', (r) => r.result.backend],
  ['prune_method', (r) => r.settings.prune.method],
  ['sparsity', (r) => (pruneMethodOf(r.settings.prune).uses.nm ? (r.settings.prune.m - r.settings.prune.n) / r.settings.prune.m : r.settings.prune.sparsity)],
  ['schedule', (r) => r.settings.prune.schedule.kind],
  ['finetune_epochs', (r) => r.settings.finetune.epochs],
  ['quant', (r) => r.settings.quant.mode],
  ['granularity', (r) => r.settings.quant.granularity],
  ['calibration', (r) => (QUANT_MODES.get(r.settings.quant.mode).calibrates ? `${r.settings.quant.calibration.method}/${r.settings.quant.calibration.samples}` : '')],
  ['accuracy_before', (r) => r.result.before.metrics.accuracy],
  ['accuracy_after', (r) => r.result.after.metrics.accuracy],
  ['macro_recall_before', (r) => r.result.before.metrics.macroRecall],
  ['macro_recall_after', (r) => r.result.after.metrics.macroRecall],
  ['deployed_bytes_before', (r) => r.result.before.size.deployedBytes],
  ['deployed_bytes_after', (r) => r.result.after.size.deployedBytes],
  ['gzip_bytes_after', (r) => r.result.after.size.gzipBytes],
  ['sparse_bytes_after', (r) => r.result.after.size.sparseBytes],
  ['latency_p50_ms_before', (r) => r.result.before.latency.medianMs],
  ['latency_p50_ms_after', (r) => r.result.after.latency.medianMs],
  ['latency_p95_ms_after', (r) => r.result.after.latency.p95Ms],
  ['macs_before', (r) => r.result.before.macs],
  ['macs_after', (r) => r.result.after.macs],
  ['flipped', (r) => r.result.flippedCount],
  ['elapsed_ms', (r) => Math.round(r.result.elapsedMs)],
];

export function csvCell(v: Cell): string {
  if (v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyCsv(runs: RunRecord[]): string {
  const lines = [COLUMNS.map(([h]) => h).join(',')];
  for (const r of runs) lines.push(COLUMNS.map(([, f]) => csvCell(f(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
