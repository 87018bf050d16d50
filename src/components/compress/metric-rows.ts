/**
 * The before/after cards as rows of display strings, from a compression result. Display
 * formatting only: every figure is the engine's; a change is the engine's two figures compared.
 */
import { hasInt8Weights } from '../../engine/choices/quantize';
import type { ModelReport } from '../../engine/metrics/model-report';
import type { CompressJobResult } from '../../engine/jobs/results';
import { formatBytes, formatChange, formatCount, formatMs, formatPercent, formatPoints } from '../format';

export interface MetricRow {
  key: string;
  label: string;
  before: string;
  after: string;
  /** The headline change, and whether lower is better (for its colour). */
  change: string;
  better?: 'lower' | 'higher';
  /** Direction of the change: -1, 0 or 1. */
  sign: number;
  /** Secondary figures: [label, before, after]. */
  lines: Array<[string, string, string]>;
  note?: string;
}

const sign = (a: number, b: number) => Math.sign(b - a);

/** The change's class: coloured good or bad when the row says which way is better. */
export function changeClass(row: Pick<MetricRow, 'sign' | 'better'>): string {
  if (row.sign === 0 || !row.better) return 'change';
  const good = (row.better === 'lower') === row.sign < 0;
  return `change ${good ? 'good' : 'bad'}`;
}

/** The keys of the figures the workbench's headline shows (the rest are in the All figures tab). */
export const HEADLINE_KEYS = ['size', 'accuracy', 'latency'] as const;

/** Gzip and sparse sizes in the encoding of the model's own format (the engine's figures). */
export function packedBytes(r: ModelReport): { gzip: number; sparse: number } {
  return { gzip: r.size.gzipBytes, sparse: r.size.sparseBytes };
}

/** Peak activation memory in the model's own format (int8 activations only for full-integer). */
export function peakBytes(r: ModelReport): number {
  return r.format === 'int8' ? r.activationMemory.peakInt8Bytes : r.activationMemory.peakFloat32Bytes;
}

export function sizeRows(b: ModelReport, a: ModelReport): Array<[string, string, string]> {
  const int8 = (r: ModelReport) => (hasInt8Weights(r.format) ? formatBytes(r.size.int8Bytes) : '—');
  return [
    ['dense float32', formatBytes(b.size.float32Bytes), formatBytes(a.size.float32Bytes)],
    ['dense int8', int8(b), int8(a)],
    ['gzip', formatBytes(packedBytes(b).gzip), formatBytes(packedBytes(a).gzip)],
    ['sparse (bitmask)', formatBytes(packedBytes(b).sparse), formatBytes(packedBytes(a).sparse)],
    ['non-zero params', formatCount(b.nonZeroParams), formatCount(a.nonZeroParams)],
  ];
}

const SIZE_NOTE = 'Weights only, BatchNorm folded. int8: 1 byte per weight, a float32 scale per channel, int32 biases. gzip: the stored weights at level 9. Sparse: a 1-bit mask plus the non-zero values.';

export const SIZE_ROW_LABELS = ['dense float32', 'dense int8', 'gzip', 'sparse (bitmask)', 'non-zero params'];

/** Before and after: a compression run's, or a preview's (which has the same reports). */
type BeforeAfter = Pick<CompressJobResult, 'before' | 'after'>;

export function metricRows(r: BeforeAfter): MetricRow[] {
  const b = r.before;
  const a = r.after;
  return [
    {
      key: 'accuracy',
      label: 'Top-1 accuracy',
      before: formatPercent(b.metrics.accuracy),
      after: formatPercent(a.metrics.accuracy),
      change: `${formatPoints(b.metrics.accuracy, a.metrics.accuracy)} (${formatChange(b.metrics.accuracy, a.metrics.accuracy)})`,
      better: 'higher',
      sign: sign(b.metrics.accuracy, a.metrics.accuracy),
      lines: [['test images', b.metrics.count.toLocaleString('en'), a.metrics.count.toLocaleString('en')]],
    },
    {
      key: 'recall',
      label: 'Macro recall',
      before: formatPercent(b.metrics.macroRecall),
      after: formatPercent(a.metrics.macroRecall),
      change: `${formatPoints(b.metrics.macroRecall, a.metrics.macroRecall)} (${formatChange(b.metrics.macroRecall, a.metrics.macroRecall)})`,
      better: 'higher',
      sign: sign(b.metrics.macroRecall, a.metrics.macroRecall),
      lines: [['macro F1', formatPercent(b.metrics.macroF1), formatPercent(a.metrics.macroF1)]],
    },
    {
      key: 'latency',
      label: 'Latency, batch 1 (p50)',
      before: formatMs(b.latency.medianMs),
      after: formatMs(a.latency.medianMs),
      change: formatChange(b.latency.medianMs, a.latency.medianMs),
      better: 'lower',
      sign: sign(b.latency.medianMs, a.latency.medianMs),
      lines: [['p95', formatMs(b.latency.p95Ms), formatMs(a.latency.p95Ms)]],
      note: a.latencyNote,
    },
    {
      key: 'throughput',
      label: 'Throughput, batch 32',
      before: `${b.throughput.imagesPerSecond.toFixed(0)} img/s`,
      after: `${a.throughput.imagesPerSecond.toFixed(0)} img/s`,
      change: formatChange(b.throughput.imagesPerSecond, a.throughput.imagesPerSecond),
      better: 'higher',
      sign: sign(b.throughput.imagesPerSecond, a.throughput.imagesPerSecond),
      lines: [['timed runs', String(b.throughput.runs), String(a.throughput.runs)]],
    },
    {
      key: 'macs',
      label: 'MACs per image (effective)',
      before: formatCount(b.effectiveMacs),
      after: formatCount(a.effectiveMacs),
      change: formatChange(b.effectiveMacs, a.effectiveMacs),
      better: 'lower',
      sign: sign(b.effectiveMacs, a.effectiveMacs),
      lines: [['dense', formatCount(b.macs), formatCount(a.macs)]],
      note: 'Effective MACs skip multiplications by zero weights; dense MACs are what a dense kernel executes.',
    },
    {
      key: 'memory',
      label: 'Peak activation memory',
      before: formatBytes(peakBytes(b)),
      after: formatBytes(peakBytes(a)),
      change: formatChange(peakBytes(b), peakBytes(a)),
      better: 'lower',
      sign: sign(peakBytes(b), peakBytes(a)),
      lines: [
        ['float32', formatBytes(b.activationMemory.peakFloat32Bytes), formatBytes(a.activationMemory.peakFloat32Bytes)],
        ['int8', formatBytes(b.activationMemory.peakInt8Bytes), formatBytes(a.activationMemory.peakInt8Bytes)],
      ],
      note: `Peak at ${a.activationMemory.peakAt}; int8 activations only in a full-integer model.`,
    },
  ];
}

export function sizeRow(r: BeforeAfter): MetricRow {
  const b = r.before;
  const a = r.after;
  return {
    key: 'size',
    label: `Size (${b.format} → ${a.format})`,
    before: formatBytes(b.size.deployedBytes),
    after: formatBytes(a.size.deployedBytes),
    change: formatChange(b.size.deployedBytes, a.size.deployedBytes),
    better: 'lower',
    sign: sign(b.size.deployedBytes, a.size.deployedBytes),
    lines: sizeRows(b, a),
    note: SIZE_NOTE,
  };
}

/** The cards with no result yet ("—"), so the page keeps its shape when one arrives. */
export function emptyRows(): { size: MetricRow; rows: MetricRow[] } {
  const blank = (key: string, label: string, lines: string[], note?: string): MetricRow => ({ key, label, before: '—', after: '—', change: '', sign: 0, lines: lines.map((l) => [l, '—', '—']), note });
  return {
    size: blank('size', 'Size', SIZE_ROW_LABELS, SIZE_NOTE),
    rows: [
      blank('accuracy', 'Top-1 accuracy', ['test images']),
      blank('recall', 'Macro recall', ['macro F1']),
      blank('latency', 'Latency, batch 1 (p50)', ['p95'], ' '),
      blank('throughput', 'Throughput, batch 32', ['timed runs']),
      blank('macs', 'MACs per image (effective)', ['dense'], ' '),
      blank('memory', 'Peak activation memory', ['float32', 'int8'], ' '),
    ],
  };
}
