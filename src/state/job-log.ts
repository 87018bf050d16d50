/**
 * The running job's compact log: one entry per stage the engine reported (opened by the stage's
 * first progress event, closed when the next stage starts or the job ends) and one for the job's
 * end. Every figure in it comes from the engine: a stage's last progress event (steps, loss,
 * images/s, image counts) and its `figures` (accuracy, latency, fraction pruned), and the job's
 * result or error. Times are ms since the job started, stamped as the events arrive.
 */
import type { SerializedError } from '../engine/errors';
import type { StageFigures } from '../engine/jobs/compress';
import type { Progress } from '../workers/client';
import type { JobResult } from '../engine/jobs/results';
import type { Stage } from '../workers/protocol';

export interface StageEntry {
  kind: 'stage';
  stage: Stage;
  /** ms since the job started: the stage's first event, and when it ended (absent while it runs). */
  atMs: number;
  endMs?: number;
  /** The stage's latest progress. */
  last: Progress;
  figures: StageFigures;
}

export interface EndEntry {
  kind: 'end';
  atMs: number;
  outcome: 'finished' | 'cancelled' | 'failed';
  /** A summary of the result, or the error's message (plain text, rendered as text). */
  text: string;
}

export type LogEntry = StageEntry | EndEntry;

/** Stages beyond this are dropped from the front (a job reports at most ~20). */
const MAX_ENTRIES = 100;

/** The log after one progress event that arrived `atMs` after the job started. */
export function logProgress(log: readonly LogEntry[], p: Progress, atMs: number): LogEntry[] {
  const open = log.at(-1);
  if (open?.kind === 'stage' && open.endMs === undefined && open.stage === p.stage) {
    return [...log.slice(0, -1), { ...open, last: p, figures: { ...open.figures, ...p.figures } }];
  }
  const closed = open?.kind === 'stage' && open.endMs === undefined ? [...log.slice(0, -1), { ...open, endMs: atMs }] : [...log];
  closed.push({ kind: 'stage', stage: p.stage, atMs, last: p, figures: { ...p.figures } });
  return closed.slice(-MAX_ENTRIES);
}

/** The log once the job ended: its open stage closed, and the outcome added. */
export function logEnd(log: readonly LogEntry[], atMs: number, end: { result: JobResult } | { error: SerializedError }): LogEntry[] {
  const open = log.at(-1);
  const closed = open?.kind === 'stage' && open.endMs === undefined ? [...log.slice(0, -1), { ...open, endMs: atMs }] : [...log];
  const entry: EndEntry = 'result' in end ? { kind: 'end', atMs, outcome: 'finished', text: resultSummary(end.result) } : { kind: 'end', atMs, outcome: end.error.code === 'cancelled' ? 'cancelled' : 'failed', text: end.error.message };
  return [...closed, entry].slice(-MAX_ENTRIES);
}

const STAGE_NAME: Record<Stage, string> = {
  backend: 'start backend',
  'load-model': 'load model',
  'load-data': 'load data',
  evaluate: 'evaluate',
  latency: 'latency',
  train: 'train',
  'evaluate-before': 'evaluate baseline',
  'latency-before': 'baseline latency',
  prune: 'prune',
  'evaluate-pruned': 'evaluate pruned',
  calibrate: 'calibrate',
  quantize: 'quantize',
  'evaluate-after': 'evaluate compressed',
  'latency-after': 'compressed latency',
  'tflite-export': 'export .tflite',
  'tflite-choose': 'time both runtimes',
  'tflite-evaluate': 'TFLite run',
  'tflite-latency': 'TFLite latency',
  sensitivity: 'each layer alone',
  'auto-sensitivity': 'layer sensitivity',
  'auto-candidate': 'search candidates',
};

const pct = (f: number, digits = 2) => `${(f * 100).toFixed(digits)}%`;
const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(2)} ms`);
const count = (n: number) => n.toLocaleString('en');
export const seconds = (v: number) => `${(v / 1000).toFixed(1)} s`;

/** "300" when the stage got through all of it, else "120 / 300" (running, or cut short by a cancel or an error). */
function amount(p: Progress): string {
  return p.done >= p.total ? count(p.total) : `${count(p.done)} / ${count(p.total)}`;
}

/** What a stage did, from its last event and figures: "300 steps, loss 0.210, 410 img/s on wasm". */
function stageDetail(e: StageEntry): string {
  const p = e.last;
  const ended = e.endMs !== undefined;
  const f = e.figures;
  const parts: string[] = [];
  switch (e.stage) {
    case 'train':
      parts.push(`${amount(p)} steps`);
      if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(3)}`);
      if (p.imagesPerSecond !== undefined) parts.push(`${p.imagesPerSecond.toFixed(0)} img/s${p.backend ? ` on ${p.backend}` : ''}`);
      break;
    case 'calibrate':
      parts.push(`${p.done >= p.total ? 'on ' : ''}${amount(p)} images`);
      break;
    case 'evaluate':
    case 'evaluate-before':
    case 'evaluate-pruned':
    case 'evaluate-after':
      parts.push(`${amount(p)} images`);
      if (f.accuracy !== undefined) parts.push(`accuracy ${pct(f.accuracy)}`);
      if (f.madeAhead) parts.push('measured ahead, on the same records');
      break;
    case 'tflite-evaluate':
      parts.push(`${amount(p)} inferences`);
      break;
    case 'sensitivity':
      parts.push(`${amount(p)} layers`);
      break;
    case 'tflite-latency':
    case 'tflite-choose':
      parts.push(`${amount(p)} timed runs`);
      break;
    default:
      if (!ended && p.total > 1) parts.push(`${count(p.done)} / ${count(p.total)}`);
  }
  if (f.latencyMs !== undefined) parts.push(`p50 ${ms(f.latencyMs)}`);
  if (f.removedFraction !== undefined) parts.push(`${pct(f.removedFraction, 1)} of weights removed`);
  return parts.join(', ');
}

/** One line of the log, without its time stamp: "train: 300 steps, loss 0.210 (8.1 s)". */
export function logLineText(e: LogEntry): string {
  if (e.kind === 'end') return e.outcome === 'finished' ? `done: ${e.text}` : e.outcome === 'cancelled' ? `cancelled: ${e.text}` : `error: ${e.text}`;
  const detail = stageDetail(e);
  return `${STAGE_NAME[e.stage] ?? e.stage}${detail ? `: ${detail}` : ''}${e.endMs !== undefined ? ` (${seconds(e.endMs - e.atMs)})` : ' …'}`;
}

const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);

/** The job's outcome in one line, from its result. */
export function resultSummary(r: JobResult): string {
  switch (r.type) {
    case 'evaluate':
      return `accuracy ${pct(r.metrics.accuracy)} on ${count(r.testRecords.count)} images, p50 ${ms(r.latency.medianMs)} on ${r.backend}`;
    case 'finetune':
      return `${count(r.steps)} steps, accuracy ${pct(r.accuracyBefore)} → ${pct(r.accuracyAfter)}`;
    case 'compress': {
      const int8 = r.tflite?.models.find((m) => m.label === 'int8');
      return `accuracy ${pct(r.before.metrics.accuracy)} → ${pct(r.after.metrics.accuracy)}, size ${kb(r.before.size.deployedBytes)} → ${kb(r.after.size.deployedBytes)}${int8 ? `, TFLite int8 ${pct(int8.metrics.accuracy)}` : ''}`;
    }
    case 'train':
      return `${count(r.steps)} steps, accuracy ${pct(r.metrics.accuracy)}`;
    case 'sensitivity':
      return `${count(r.report.layers.length)} layers, held-back accuracy ${pct(r.report.baselineAccuracy)} on ${count(r.report.heldOutImages)} training images${r.reused ? ' (kept from an earlier analysis)' : ''}`;
    case 'auto-search':
      return `${r.candidates.length} candidates; picked ${pct(r.pick.sparsity, 1)} pruned, held-back accuracy ${pct(r.pick.heldOutAccuracy)}`;
    default:
      return 'done';
  }
}
