/**
 * Settings of a compression job: plain data that crosses the worker boundary, lives in the URL and
 * in run history. Defaults are what a first-time user should get; `validateCompressSettings`
 * refuses nonsense with a message naming the field.
 */
import { StudioError } from '../errors';
import type { LayerKind } from '../prune/unstructured';
import type { CalibrationMethod } from '../quantize/calibrate';
import type { Granularity } from '../quantize/quantize-graph';

export type PruneMethod = 'none' | 'per-layer' | 'global' | 'n:m' | 'structured';

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
  /** Structured pruning: filter ranking by L1 or L2 norm. */
  criterion: 'l1' | 'l2';
  n: number;
  m: number;
  schedule: { kind: 'one-shot' } | GradualSchedule;
}

export interface TrainSettings {
  /** 0 skips fine-tuning. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'sgd-momentum' | 'adam';
  seed: number;
  /** Train on the first N training images only (quick previews); undefined = all. */
  trainLimit?: number;
  /** Stop after this many steps (quick previews and tests). */
  maxSteps?: number;
}

export type QuantModeSetting = 'none' | 'int8' | 'weight-int8' | 'float16';

export interface QuantSettings {
  mode: QuantModeSetting;
  granularity: Granularity;
  calibration: { method: CalibrationMethod; samples: number; percentile: number };
}

export interface CompressSettings {
  prune: PruneSettings;
  finetune: TrainSettings;
  quant: QuantSettings;
  /** Evaluate on at most this many of the baseline's test records (undefined: all). */
  evalLimit?: number;
  /** Timed runs for latency at batch 1 (and a third as many for throughput at batch 32). */
  latencyRuns: number;
}

export const DEFAULT_SETTINGS: CompressSettings = {
  prune: { method: 'per-layer', sparsity: 0.5, layerKinds: ['conv', 'dense'], spareFirstLast: false, overrides: {}, criterion: 'l1', n: 2, m: 4, schedule: { kind: 'one-shot' } },
  finetune: { epochs: 0, batchSize: 64, learningRate: 0.005, optimizer: 'sgd-momentum', seed: 1 },
  quant: { mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: 500, percentile: 99.99 } },
  latencyRuns: 30,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };
export type PartialCompressSettings = DeepPartial<CompressSettings>;

export function withDefaults(p: PartialCompressSettings = {}): CompressSettings {
  const d = DEFAULT_SETTINGS;
  return {
    prune: { ...d.prune, ...p.prune, overrides: { ...(p.prune?.overrides as Record<string, number> | undefined) }, schedule: (p.prune?.schedule as PruneSettings['schedule']) ?? d.prune.schedule },
    finetune: { ...d.finetune, ...p.finetune },
    quant: { ...d.quant, ...p.quant, calibration: { ...d.quant.calibration, ...p.quant?.calibration } },
    evalLimit: p.evalLimit,
    latencyRuns: p.latencyRuns ?? d.latencyRuns,
  };
}

function fail(field: string, message: string, value: unknown): never {
  throw new StudioError('bad-settings', `${field}: ${message} (got ${JSON.stringify(value)}).`, { field, value });
}

export function validateCompressSettings(s: CompressSettings): void {
  const frac = (field: string, v: number) => {
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) fail(field, 'must be a number between 0 and 1', v);
  };
  const posInt = (field: string, v: number, min = 1) => {
    if (!(Number.isInteger(v) && v >= min)) fail(field, `must be a whole number of at least ${min}`, v);
  };
  const methods: PruneMethod[] = ['none', 'per-layer', 'global', 'n:m', 'structured'];
  if (!methods.includes(s.prune.method)) fail('prune.method', `must be one of ${methods.join(', ')}`, s.prune.method);
  frac('prune.sparsity', s.prune.sparsity);
  if (s.prune.method === 'structured' && s.prune.sparsity >= 1) fail('prune.sparsity', 'structured pruning must keep at least one filter per layer, so it must be below 1', s.prune.sparsity);
  for (const [k, v] of Object.entries(s.prune.overrides)) frac(`prune.overrides.${k}`, v);
  if (s.prune.method === 'n:m') {
    posInt('prune.m', s.prune.m);
    if (!(Number.isInteger(s.prune.n) && s.prune.n >= 0 && s.prune.n <= s.prune.m)) fail('prune.n', `must be a whole number from 0 to M (${s.prune.m})`, s.prune.n);
  }
  if (s.prune.schedule.kind === 'gradual') {
    if (s.prune.method === 'structured') fail('prune.schedule', 'structured pruning removes filters once (one-shot); a gradual schedule applies to unstructured pruning', 'gradual');
    if (s.finetune.epochs < 1) fail('finetune.epochs', 'a gradual schedule prunes during fine-tuning, so it needs at least one epoch', s.finetune.epochs);
    frac('prune.schedule.initialSparsity', s.prune.schedule.initialSparsity);
    if (s.prune.schedule.initialSparsity > s.prune.sparsity) fail('prune.schedule.initialSparsity', 'must not exceed the final sparsity', s.prune.schedule.initialSparsity);
  }
  posInt('finetune.epochs', s.finetune.epochs, 0);
  posInt('finetune.batchSize', s.finetune.batchSize);
  if (!(s.finetune.learningRate > 0 && s.finetune.learningRate < 10)) fail('finetune.learningRate', 'must be positive and below 10', s.finetune.learningRate);
  if (s.finetune.trainLimit !== undefined) posInt('finetune.trainLimit', s.finetune.trainLimit);
  if (s.finetune.maxSteps !== undefined) posInt('finetune.maxSteps', s.finetune.maxSteps);
  const modes: QuantModeSetting[] = ['none', 'int8', 'weight-int8', 'float16'];
  if (!modes.includes(s.quant.mode)) fail('quant.mode', `must be one of ${modes.join(', ')}`, s.quant.mode);
  if (s.quant.granularity !== 'per-channel' && s.quant.granularity !== 'per-tensor') fail('quant.granularity', 'must be per-channel or per-tensor', s.quant.granularity);
  if (!['minmax', 'percentile', 'mse'].includes(s.quant.calibration.method)) fail('quant.calibration.method', 'must be minmax, percentile or mse', s.quant.calibration.method);
  posInt('quant.calibration.samples', s.quant.calibration.samples);
  if (!(s.quant.calibration.percentile > 50 && s.quant.calibration.percentile <= 100)) fail('quant.calibration.percentile', 'must be above 50 and at most 100', s.quant.calibration.percentile);
  if (s.evalLimit !== undefined) posInt('evalLimit', s.evalLimit);
  posInt('latencyRuns', s.latencyRuns);
}
