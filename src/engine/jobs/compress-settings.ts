/**
 * Settings of a compression job: plain data that crosses the worker boundary, lives in the URL and
 * in run history. Every choice in it is an id of a table in engine/choices/ (its type, its default
 * and its allowed values come from there). `validateCompressSettings` checks every field and
 * refuses anything else with a message naming the field, what it allows and what it got: an
 * unknown value is never replaced by a default.
 */
import { BIAS_CORRECTIONS, CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES, ROUNDINGS, type BiasCorrection, type CalibrationMethod, type Granularity, type QuantModeSetting, type Rounding } from '../choices/quantize';
import { DEFAULT_NM, pruneMethod, PRUNE_METHODS, type PruneMethod, type PruneMethodEntry, type PruneMethodOption, type PruneParamSpec } from '../choices/prune-methods';
import { gradualSchedule, LAYER_KINDS, PRUNE_ALLOCATIONS, PRUNE_CRITERIA, PRUNE_SCHEDULES, type LayerKind, type PruneAllocation, type PruneCriterion, type PruneScheduleKind } from '../choices/prune';
import { OPTIMIZERS, type Optimizer } from '../choices/train';
import { StudioError } from '../errors';

export type { PruneMethod, QuantModeSetting };

export interface GradualSchedule {
  kind: 'gradual';
  initialSparsity: number;
  /** Steps of fine-tuning; undefined means: begin at 0, end at 70% of the steps. */
  beginStep?: number;
  endStep?: number;
  /** Mask updates every this many steps (undefined: 10 updates over the schedule). */
  frequency?: number;
  power: number;
}

export interface PruneSettings {
  method: PruneMethod;
  sparsity: number;
  layerKinds: LayerKind[];
  spareFirstLast: boolean;
  overrides: Record<string, number>;
  /** A reconstruction method: how the sparsity is spread over the layers not in `overrides`. */
  allocation: PruneAllocation;
  /** Structured pruning: filter ranking by L1 or L2 norm. */
  criterion: PruneCriterion;
  n: number;
  m: number;
  schedule: { kind: Exclude<PruneScheduleKind, 'gradual'> } | GradualSchedule;
  /** The method's own parameters (choices/prune-methods.ts `params`), by key; a missing one takes its default. */
  params: Record<string, number>;
}

export interface TrainSettings {
  /** 0 skips fine-tuning. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: Optimizer;
  seed: number;
  /** Train on the first N training images only (quick previews); undefined = all. */
  trainLimit?: number;
  /** Stop after this many steps (quick previews and tests). */
  maxSteps?: number;
}

export interface QuantSettings {
  mode: QuantModeSetting;
  granularity: Granularity;
  /** int8 weights: nearest, or GPTQ with reconstruction on the calibration images. */
  rounding: Rounding;
  /** int8 weights: restore each output's mean after rounding. */
  biasCorrection: BiasCorrection;
  calibration: { method: CalibrationMethod; samples: number; percentile: number };
}

export interface CompressSettings {
  prune: PruneSettings;
  finetune: TrainSettings;
  quant: QuantSettings;
  /** Evaluate on at most this many of the baseline's test records (undefined: all). */
  evalLimit?: number;
  /**
   * Also evaluate the model after pruning and after fine-tuning, not only at the end: one more
   * pass over the test images per stage (a third of the default run's time), off by default.
   */
  stageAccuracy: boolean;
  /** Timed runs for latency at batch 1 (and a third as many for throughput at batch 32). */
  latencyRuns: number;
}

export const DEFAULT_SETTINGS: CompressSettings = {
  prune: {
    method: PRUNE_METHODS.defaultId,
    // The default recipe (with the default method, reconstruction): ≥ 85% smaller at a fraction of
    // a point on the default model, in seconds (docs/STUDIO.md, "The default recipe").
    sparsity: 0.8,
    layerKinds: LAYER_KINDS.defaultIds,
    // The first layer (few weights, raw pixels in) and the classifier are the most sensitive.
    spareFirstLast: true,
    overrides: {},
    allocation: PRUNE_ALLOCATIONS.defaultId,
    criterion: PRUNE_CRITERIA.defaultId,
    n: DEFAULT_NM.n,
    m: DEFAULT_NM.m,
    schedule: { kind: 'one-shot' },
    params: {},
  },
  finetune: { epochs: 0, batchSize: 64, learningRate: 0.005, optimizer: OPTIMIZERS.defaultId, seed: 1 },
  quant: {
    mode: QUANT_MODES.defaultId,
    granularity: GRANULARITIES.defaultId,
    rounding: ROUNDINGS.defaultId,
    biasCorrection: BIAS_CORRECTIONS.defaultId,
    calibration: { method: CALIBRATION_METHODS.defaultId, samples: 500, percentile: 99.99 },
  },
  stageAccuracy: false,
  latencyRuns: 30,
};

export { gradualSchedule };

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
export type PartialCompressSettings = DeepPartial<CompressSettings>;

export function withDefaults(p: PartialCompressSettings = {}): CompressSettings {
  const d = DEFAULT_SETTINGS;
  return {
    prune: {
      ...d.prune,
      ...p.prune,
      layerKinds: p.prune?.layerKinds ?? [...d.prune.layerKinds],
      overrides: { ...(p.prune?.overrides as Record<string, number> | undefined) },
      schedule: (p.prune?.schedule as PruneSettings['schedule']) ?? d.prune.schedule,
      params: { ...(p.prune?.params as Record<string, number> | undefined) },
    },
    finetune: { ...d.finetune, ...p.finetune },
    quant: { ...d.quant, ...p.quant, calibration: { ...d.quant.calibration, ...p.quant?.calibration } },
    evalLimit: p.evalLimit,
    stageAccuracy: p.stageAccuracy ?? d.stageAccuracy,
    latencyRuns: p.latencyRuns ?? d.latencyRuns,
  };
}

function fail(field: string, message: string, value: unknown): never {
  throw new StudioError('bad-settings', `${field}: ${message} (got ${JSON.stringify(value) ?? String(value)}).`, { field, value });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses a key the settings do not have (a misspelt key in a settings file would otherwise be ignored). */
function knownKeys(v: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) fail(field, 'must be an object', v);
  for (const k of Object.keys(v)) {
    const path = field ? `${field}.${k}` : k;
    if (!keys.includes(k)) throw new StudioError('bad-settings', `${path}: not a setting; ${field || 'the settings'} may hold ${keys.join(', ')}.`, { field: path });
  }
  return v;
}

const frac = (field: string, v: unknown) => {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) fail(field, 'must be a number between 0 and 1', v);
};
const wholeNumber = (field: string, v: unknown, min = 1) => {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) fail(field, `must be a whole number of at least ${min}`, v);
};
const optionalWhole = (field: string, v: unknown, min = 1) => v === undefined || wholeNumber(field, v, min);
const bool = (field: string, v: unknown) => {
  if (typeof v !== 'boolean') fail(field, 'must be true or false', v);
};

/** A method's own parameters: each a number within its range; a key it does not take is refused. */
export function validatePruneParams(method: Pick<PruneMethodOption, 'id' | 'params'>, params: unknown): void {
  if (!isObject(params)) fail('prune.params', 'must be an object of numbers', params);
  for (const [k, v] of Object.entries(params)) {
    const spec: PruneParamSpec | undefined = method.params.find((p) => p.key === k);
    if (!spec) throw new StudioError('bad-settings', `prune.params.${k}: the ${method.id} method takes ${method.params.length ? method.params.map((p) => p.key).join(', ') : 'no parameters'}.`, { field: `prune.params.${k}` });
    const field = `prune.params.${k}`;
    if (!(typeof v === 'number' && v >= spec.min && v <= spec.max)) fail(field, `must be a number from ${spec.min} to ${spec.max}`, v);
    if (spec.integer && !Number.isInteger(v)) fail(field, 'must be a whole number', v);
  }
}

function validatePrune(raw: unknown, finetuneEpochs: number): void {
  const p = knownKeys(raw, 'prune', Object.keys(DEFAULT_SETTINGS.prune)) as unknown as PruneSettings;
  const method = PRUNE_METHODS.check(p.method);
  frac('prune.sparsity', p.sparsity);
  if (method.structured && p.sparsity >= 1) fail('prune.sparsity', 'structured pruning must keep at least one filter per layer, so it must be below 1', p.sparsity);
  LAYER_KINDS.check(p.layerKinds);
  if (method.uses.layerKinds && p.layerKinds.length === 0) fail('prune.layerKinds', `must name at least one of ${LAYER_KINDS.allowed} for ${method.id} pruning`, p.layerKinds);
  bool('prune.spareFirstLast', p.spareFirstLast);
  if (!isObject(p.overrides)) fail('prune.overrides', 'must map layer names to fractions', p.overrides);
  for (const [k, v] of Object.entries(p.overrides)) frac(`prune.overrides.${k}`, v);
  PRUNE_CRITERIA.check(p.criterion);
  PRUNE_ALLOCATIONS.check(p.allocation);
  for (const k of ['n', 'm'] as const) if (typeof p[k] !== 'number') fail(`prune.${k}`, 'must be a whole number', p[k]);
  if (method.uses.nm) {
    wholeNumber('prune.m', p.m);
    if (!(Number.isInteger(p.n) && p.n >= 0 && p.n <= p.m)) fail('prune.n', `must be a whole number from 0 to M (${p.m})`, p.n);
  }
  if (!isObject(p.schedule)) fail('prune.schedule', 'must be an object with a kind', p.schedule);
  const kind = PRUNE_SCHEDULES.check(p.schedule.kind).id;
  if (kind === 'gradual') {
    const g = knownKeys(p.schedule, 'prune.schedule', ['kind', 'initialSparsity', 'beginStep', 'endStep', 'frequency', 'power']) as unknown as GradualSchedule;
    if (method.structured) fail('prune.schedule', 'structured pruning removes filters once (one-shot); a gradual schedule applies to unstructured pruning', 'gradual');
    if ((method.uses.sparsity || method.uses.nm) && !method.uses.gradual) fail('prune.schedule', `${method.id} pruning has no gradual schedule; use one-shot`, 'gradual');
    if (finetuneEpochs < 1) fail('finetune.epochs', 'a gradual schedule prunes during fine-tuning, so it needs at least one epoch', finetuneEpochs);
    frac('prune.schedule.initialSparsity', g.initialSparsity);
    if (g.initialSparsity > p.sparsity) fail('prune.schedule.initialSparsity', 'must not exceed the final sparsity', g.initialSparsity);
    if (!(typeof g.power === 'number' && g.power > 0)) fail('prune.schedule.power', 'must be a positive number', g.power);
    optionalWhole('prune.schedule.beginStep', g.beginStep, 0);
    optionalWhole('prune.schedule.endStep', g.endStep, 0);
    optionalWhole('prune.schedule.frequency', g.frequency);
  } else knownKeys(p.schedule, 'prune.schedule', ['kind']);
  validatePruneParams(method, p.params);
}

/**
 * Training settings under `field`, each checked by name: a Compress's fine-tune (epochs may be 0),
 * the Fine-tune button's job and a training from scratch (at least one epoch; `extra` keys allowed).
 * The optimizer is checked where the settings carry one (the Fine-tune job uses the default).
 */
export function validateTraining(raw: unknown, field: string, opts: { minEpochs?: number; extra?: readonly string[]; optimizer?: 'required' | 'optional' } = {}): void {
  const f = knownKeys(raw, field, ['epochs', 'batchSize', 'learningRate', 'optimizer', 'seed', 'trainLimit', 'maxSteps', ...(opts.extra ?? [])]) as unknown as Partial<TrainSettings> & { evalLimit?: unknown };
  wholeNumber(`${field}.epochs`, f.epochs, opts.minEpochs ?? 0);
  wholeNumber(`${field}.batchSize`, f.batchSize);
  if (!(typeof f.learningRate === 'number' && f.learningRate > 0 && f.learningRate < 10)) fail(`${field}.learningRate`, 'must be positive and below 10', f.learningRate);
  if (f.optimizer !== undefined || opts.optimizer !== 'optional') OPTIMIZERS.check(f.optimizer, `${field}.optimizer`);
  wholeNumber(`${field}.seed`, f.seed, 0);
  optionalWhole(`${field}.trainLimit`, f.trainLimit);
  optionalWhole(`${field}.maxSteps`, f.maxSteps);
  optionalWhole(`${field}.evalLimit`, f.evalLimit);
}

function validateFinetune(raw: unknown): void {
  validateTraining(raw, 'finetune');
}

function validateQuant(raw: unknown): void {
  const q = knownKeys(raw, 'quant', ['mode', 'granularity', 'rounding', 'biasCorrection', 'calibration']) as unknown as QuantSettings;
  QUANT_MODES.check(q.mode);
  GRANULARITIES.check(q.granularity);
  ROUNDINGS.check(q.rounding);
  BIAS_CORRECTIONS.check(q.biasCorrection);
  const c = knownKeys(q.calibration, 'quant.calibration', ['method', 'samples', 'percentile']) as unknown as QuantSettings['calibration'];
  CALIBRATION_METHODS.check(c.method);
  wholeNumber('quant.calibration.samples', c.samples);
  if (!(typeof c.percentile === 'number' && c.percentile > 50 && c.percentile <= 100)) fail('quant.calibration.percentile', 'must be above 50 and at most 100', c.percentile);
}

/** Checks every field; throws a 'bad-settings' StudioError naming the first field that is wrong. */
export function validateCompressSettings(s: CompressSettings): void {
  const top = knownKeys(s, '', ['prune', 'finetune', 'quant', 'evalLimit', 'stageAccuracy', 'latencyRuns']);
  const epochs = isObject(top.finetune) ? top.finetune.epochs : undefined;
  validatePrune(top.prune, typeof epochs === 'number' ? epochs : 0);
  validateFinetune(top.finetune);
  validateQuant(top.quant);
  optionalWhole('evalLimit', s.evalLimit);
  bool('stageAccuracy', s.stageAccuracy);
  wholeNumber('latencyRuns', s.latencyRuns);
}

/** The method's table entry (labels, flags) for a settings' method id. */
export function pruneMethodOf(p: Pick<PruneSettings, 'method'>): PruneMethodEntry {
  return pruneMethod(p.method);
}

/** A method's parameter value: the settings' own, else the parameter's default. */
export function pruneParam(p: Pick<PruneSettings, 'method' | 'params'>, key: string): number {
  const spec = pruneMethodOf(p).params.find((x) => x.key === key);
  if (!spec) throw new StudioError('internal', `The ${p.method} method has no parameter "${key}".`, { key }, 'bug');
  return p.params[key] ?? spec.default;
}
