/**
 * The "Reproduce the study" preset: the study's four methods (baseline, pruning, INT8 full-integer,
 * pruning + INT8) as compression settings, on each chosen model. Two profiles: a quick one that
 * fits a lecture (a few minutes on a laptop: a test subset, a few fine-tuning steps) and a fuller
 * one (every exact test record, ten times the fine-tuning). Pruning is global magnitude pruning,
 * first and last layer kept dense, then fine-tuned with the masks held, as in `npm run bench`.
 */
import { getDataset } from '../data/registry';
import { ARCHITECTURE_INFO, architectureOf } from '../models/architectures';
import { withDefaults, type CompressSettings } from '../jobs/compress-settings';
import type { BaselineEntry, ModelFamily } from '../types';
import { STUDY_METHOD_INFO, STUDY_METHODS, type StudyMethod } from './published';

export type StudyProfile = 'lecture' | 'full';

export interface StudyRunSettings {
  /** The first N of each baseline's exact test records; undefined = all of them. */
  evalLimit?: number;
  /** Fine-tuning steps (batches of STUDY_BATCH training images) after pruning; 0 = none. */
  steps: number;
  /** Fraction of the prunable weights set to zero, 0-1. */
  sparsity: number;
  calibrationSamples: number;
  latencyRuns: number;
}

export const STUDY_BATCH = 64;
const LEARNING_RATE = 0.002;

export const STUDY_PROFILES: Record<StudyProfile, { label: string; duration: string; run: StudyRunSettings }> = {
  lecture: { label: 'Quick, for a lecture', duration: 'a few minutes on a laptop for two models', run: { evalLimit: 500, steps: 10, sparsity: 0.5, calibrationSamples: 200, latencyRuns: 10 } },
  full: { label: 'Fuller', duration: 'tens of minutes for two models', run: { evalLimit: undefined, steps: 100, sparsity: 0.5, calibrationSamples: 500, latencyRuns: 30 } },
};

/** The shipped baselines the preset picks by default: one model of each family the study published figures for. */
export const STUDY_DEFAULT_MODELS = ['custom-cnn-mnist', 'mobilenet-v1-0.5-cifar10'];

/**
 * Families the study compared: the zoo's architectures, which are the study's five. A baseline of
 * another family (a user's own model) is not offered by the preset.
 */
export const STUDY_FAMILIES: readonly ModelFamily[] = [...new Set(ARCHITECTURE_INFO.map((a) => a.family))];

export type StudyModel = Pick<BaselineEntry, 'id' | 'family' | 'alpha' | 'dataset'> & { testData: Pick<BaselineEntry['testData'], 'exact'> };

export interface StudyConfig {
  /** `<model id>/<method>`, unique in a preset run. */
  key: string;
  modelId: string;
  family: ModelFamily;
  modelLabel: string;
  datasetLabel: string;
  /** Whether the baseline's test records are the dataset's exact images. */
  exact: boolean;
  method: StudyMethod;
  methodLabel: string;
  /** "MobileNetV1 0.5 · CIFAR-10, prune 50% + INT8" */
  label: string;
  settings: CompressSettings;
}

export function studyModelLabel(m: Pick<BaselineEntry, 'family' | 'alpha'>): string {
  return architectureOf(m)?.short ?? m.family;
}

function methodLabel(method: StudyMethod, run: StudyRunSettings): string {
  return STUDY_METHOD_INFO[method].row(run.sparsity);
}

/** The compression settings of one method under a profile's run settings. */
export function studySettings(method: StudyMethod, run: StudyRunSettings): CompressSettings {
  const pruned = method === 'pruning' || method === 'pruning-int8';
  const int8 = method === 'int8' || method === 'pruning-int8';
  const steps = pruned ? run.steps : 0;
  // Training images are read only as far as needed: fine-tuning's batches or calibration's samples.
  const trainLimit = Math.max(steps * STUDY_BATCH, int8 ? run.calibrationSamples : 0) || undefined;
  return withDefaults({
    prune: pruned ? { method: 'global', sparsity: run.sparsity, spareFirstLast: true } : { method: 'none' },
    finetune: { epochs: steps > 0 ? 1 : 0, batchSize: STUDY_BATCH, learningRate: LEARNING_RATE, trainLimit, maxSteps: steps > 0 ? steps : undefined },
    quant: int8 ? { mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: run.calibrationSamples } } : { mode: 'none' },
    evalLimit: run.evalLimit,
    latencyRuns: run.latencyRuns,
  });
}

/** Each model with each of the study's methods, model by model, in the study's order. */
export function studyConfigs(models: StudyModel[], run: StudyRunSettings): StudyConfig[] {
  return models.flatMap((m) => {
    const modelLabel = studyModelLabel(m);
    const datasetLabel = getDataset(m.dataset).label;
    return STUDY_METHODS.map((method) => {
      const ml = methodLabel(method, run);
      return { key: `${m.id}/${method}`, modelId: m.id, family: m.family, modelLabel, datasetLabel, exact: m.testData.exact, method, methodLabel: ml, label: `${modelLabel} · ${datasetLabel}, ${ml}`, settings: studySettings(method, run) };
    });
  });
}

/** Why these run settings cannot start, naming the field; undefined when they can. */
export function studyRunProblem(run: StudyRunSettings): string | undefined {
  if (run.evalLimit !== undefined && !(Number.isInteger(run.evalLimit) && run.evalLimit >= 1)) return `Test images: use a whole number of at least 1, or leave it blank for all (got ${String(run.evalLimit)}).`;
  if (!(Number.isInteger(run.steps) && run.steps >= 0 && run.steps <= 10_000)) return `Fine-tuning steps: use a whole number from 0 to 10,000 (got ${String(run.steps)}).`;
  if (!(run.sparsity > 0 && run.sparsity < 1)) return `Sparsity: use more than 0% and less than 100% (got ${String(Math.round(run.sparsity * 1e4) / 100)}%).`;
  return undefined;
}
