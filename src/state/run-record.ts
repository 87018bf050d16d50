/**
 * A finished compression run as the history keeps it: versioned, plain data (settings and the
 * result as the engine returned it, less any exported binary files), read back through
 * `restoreRun`, which checks what the views rely on and refuses anything else, so one corrupted
 * entry is skipped and reported instead of breaking the page.
 */
import { hasInt8Weights, QUANT_MODES } from '../engine/choices/quantize';
import { isPruning } from '../engine/choices/prune-methods';
import { pruneMethodOf, withDefaults, type CompressSettings } from '../engine/jobs/compress-settings';
import type { ModelReport } from '../engine/metrics/model-report';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { CompressJobResult } from '../engine/jobs/results';

export const RUN_RECORD_VERSION = 1;

/** The result as stored: exported .tflite files are left out (binary, large): a run shown from the history has its figures, not its files. */
export type StoredResult = Omit<CompressJobResult, 'exports'>;

export interface RunRecord {
  v: typeof RUN_RECORD_VERSION;
  id: string;
  /** The user's name for the run (rendered as text only). */
  name: string;
  /** Date.now() when the run finished. */
  createdAt: number;
  modelId: string;
  /** Backend asked for ('auto' or a name); the one that ran is result.backend. */
  backend: TrainingBackendChoice;
  settings: CompressSettings;
  result: StoredResult;
  /** How it was started: a single run, one step of a sparsity sweep, or one configuration of the study preset. */
  origin: 'run' | 'sweep' | 'study';
}

export const MAX_NAME_LENGTH = 120;

/** A short description of a recipe: "per-layer 50% + int8", "2:4 + fine-tune 1 ep + float16". */
export function recipeLabel(s: CompressSettings): string {
  const p = s.prune;
  const method = pruneMethodOf(p);
  const prune = !isPruning(method) ? method.summary : method.uses.nm ? `${p.n}:${p.m}` : `${p.method} ${Math.round(p.sparsity * 100)}%${p.schedule.kind === 'gradual' ? ' gradual' : ''}`;
  const ft = s.finetune.epochs > 0 ? ` + fine-tune ${s.finetune.epochs} ep` : '';
  const q = QUANT_MODES.get(s.quant.mode).format === 'float32' ? '' : ` + ${s.quant.mode}`;
  return `${prune}${ft}${q}`;
}

let counter = 0;
export function newRunId(now = Date.now()): string {
  counter = (counter + 1) % 1296;
  return `run-${now.toString(36)}-${counter.toString(36).padStart(2, '0')}`;
}

export function newRunRecord(result: CompressJobResult, backend: TrainingBackendChoice, origin: RunRecord['origin'] = 'run', name?: string): RunRecord {
  const { exports: _exports, ...stored } = result;
  const createdAt = Date.now();
  return { v: RUN_RECORD_VERSION, id: newRunId(createdAt), name: (name ?? recipeLabel(result.settings)).slice(0, MAX_NAME_LENGTH), createdAt, modelId: result.modelId, backend, settings: result.settings, result: stored, origin };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** Checks the parts of a model report every view reads; returns what is wrong, or undefined. */
function reportProblem(r: unknown, which: string): string | undefined {
  if (!isObj(r)) return `result.${which} is missing`;
  const m = r.metrics;
  if (!isObj(m) || !isNum(m.accuracy) || !isNum(m.macroRecall) || !Array.isArray(m.confusion)) return `result.${which}.metrics is not a metrics object`;
  if (!isObj(r.size) || !isNum(r.size.deployedBytes)) return `result.${which}.size.deployedBytes is not a number`;
  if (!isObj(r.latency) || !isNum(r.latency.medianMs)) return `result.${which}.latency is not a latency object`;
  return undefined;
}

/** Why a stored value is not a RunRecord this studio can show, or undefined when it is. */
export function runProblem(raw: unknown): string | undefined {
  if (!isObj(raw)) return 'not an object';
  if (raw.v !== RUN_RECORD_VERSION) return `unknown record version ${JSON.stringify(raw.v)?.slice(0, 20)} (this studio reads version ${RUN_RECORD_VERSION})`;
  if (typeof raw.id !== 'string' || !/^run-[a-z0-9-]{1,40}$/.test(raw.id)) return 'its id is malformed';
  if (typeof raw.name !== 'string' || raw.name.length > MAX_NAME_LENGTH) return 'its name is not text';
  if (!isNum(raw.createdAt)) return 'its date is missing';
  if (typeof raw.modelId !== 'string') return 'its model id is missing';
  if (!isObj(raw.settings) || !isObj(raw.settings.prune) || !isObj(raw.settings.quant) || !isObj(raw.settings.finetune)) return 'its settings are incomplete';
  const r = raw.result;
  if (!isObj(r)) return 'its result is missing';
  const problem = reportProblem(r.before, 'before') ?? reportProblem(r.after, 'after');
  if (problem) return problem;
  if (!Array.isArray(r.layers) || !Array.isArray(r.stages) || !Array.isArray(r.flipped) || !isObj(r.testRecords)) return 'its result lacks layers, stages, flipped records or test records';
  return undefined;
}

/**
 * A report stored before the engine computed the own-format gzip and sparse sizes gets the figures
 * the page showed then: the int8 encoding's for int8 weights, float32's otherwise (float16 included,
 * which is what the page showed for float16 runs of that time).
 */
function withOwnSizes(r: ModelReport): ModelReport {
  if (typeof r.size.gzipBytes === 'number' && typeof r.size.sparseBytes === 'number') return r;
  const int8 = hasInt8Weights(r.format);
  return { ...r, size: { ...r.size, gzipBytes: int8 ? r.size.gzipInt8Bytes : r.size.gzipFloat32Bytes, sparseBytes: int8 ? r.size.sparseInt8Bytes : r.size.sparseFloat32Bytes } };
}

/** A stored value as a RunRecord (settings completed with today's defaults), or an Error saying why not. */
export function restoreRun(raw: unknown): RunRecord | Error {
  const problem = runProblem(raw);
  if (problem) return new Error(problem);
  const r = raw as RunRecord;
  const result = { ...r.result, type: 'compress' as const, before: withOwnSizes(r.result.before), after: withOwnSizes(r.result.after) };
  return { ...r, settings: withDefaults(r.settings), origin: r.origin === 'sweep' || r.origin === 'study' ? r.origin : 'run', backend: r.backend ?? 'auto', result };
}
