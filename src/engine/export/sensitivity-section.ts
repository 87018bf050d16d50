/**
 * The sensitivity part of a run's report (report.ts): the per-layer sensitivity table of the run's
 * model when the studio computed one (jobs/sensitivity.ts), one row per layer and trial, and the
 * per-layer sparsities the run chose when it pruned with sensitivity allocation (the prune stage's
 * detail, prune/methods/reconstruction.ts). Plain data, no tfjs: the page assembles it.
 */
import type { StageRecord } from '../jobs/compress';
import type { SensitivityResult } from '../jobs/sensitivity';
import type { SensitivitySettings } from '../jobs/sensitivity-settings';
import type { WeightedNode } from '../graph/ir';

/** One layer compressed alone: pruned to `sparsity` by reconstruction, or its weights on the int8 grid. */
export interface SensitivityRow {
  layer: string;
  op: WeightedNode['op'];
  weights: number;
  trial: 'pruned' | 'int8';
  /** Fraction of the layer's weights pruned (0 for the int8 trial, which prunes none). */
  sparsity: number;
  /** The model's accuracy on the held-back training images with only this layer changed (fraction). */
  accuracy: number;
  /** The unchanged model's accuracy minus that, in percentage points (positive: a loss). */
  accuracyDropPts: number;
  /** Mean KL divergence of the predictions from the unchanged model's, in nats. */
  divergence: number;
  /** ‖ΔW X‖² / ‖W X‖² on the calibration inputs. */
  outputError: number;
}

export interface AllocationRow {
  layer: string;
  /** The sparsity the run pruned the layer to (fraction). */
  sparsity: number;
  /** The first pass's choice, measured on the dense model, before the second pass in context. */
  firstPassSparsity?: number;
}

export interface SensitivitySection {
  /** The analysis of the run's model, when one was computed in this session. */
  analysis?: {
    settings: SensitivitySettings;
    trainImages: number;
    calibrationImages: number;
    heldOutImages: number;
    baselineAccuracy: number;
    rows: SensitivityRow[];
  };
  /** The run's per-layer sparsities, when it pruned with sensitivity allocation. */
  allocation?: AllocationRow[];
}

/** Percentage points, rounded to 1e-9 so that 0.98 − 0.97 reads 1, not 1.0000000000000009. */
const points = (from: number, to: number) => Math.round((from - to) * 100 * 1e9) / 1e9;

/** The analysis as table rows: for each layer, its pruned trials in sparsity order, then its int8 trial. */
export function sensitivityRows(r: SensitivityResult['report']): SensitivityRow[] {
  return r.layers.flatMap((l) => {
    const row = (trial: SensitivityRow['trial'], sparsity: number, p: { accuracy: number; divergence: number; outputError: number }): SensitivityRow => ({
      layer: l.layer,
      op: l.op,
      weights: l.weights,
      trial,
      sparsity,
      accuracy: p.accuracy,
      accuracyDropPts: points(r.baselineAccuracy, p.accuracy),
      divergence: p.divergence,
      outputError: p.outputError,
    });
    return [...[...l.prune].sort((a, b) => a.sparsity - b.sparsity).map((p) => row('pruned', p.sparsity, p)), row('int8', 0, l.int8)];
  });
}

const isSparsities = (v: unknown): v is Record<string, number> => typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');

/** The per-layer sparsities a run chose by sensitivity, from its prune stage; undefined when it did not allocate by sensitivity. */
export function allocationOf(stages: readonly Pick<StageRecord, 'stage' | 'detail'>[]): AllocationRow[] | undefined {
  const d = stages.find((s) => s.stage === 'prune')?.detail;
  if (!d || d.allocation !== 'sensitivity' || !isSparsities(d.layerSparsities)) return undefined;
  const first = isSparsities(d.firstPassSparsities) ? d.firstPassSparsities : {};
  return Object.entries(d.layerSparsities).map(([layer, sparsity]) => ({ layer, sparsity, ...(layer in first ? { firstPassSparsity: first[layer] } : {}) }));
}

/** The report's sensitivity section for a run, or undefined when it has neither part. `analysis` counts only when it is of the run's model. */
export function sensitivitySection(run: { modelId: string; stages?: readonly Pick<StageRecord, 'stage' | 'detail'>[] }, analysis?: SensitivityResult): SensitivitySection | undefined {
  const a = analysis && analysis.modelId === run.modelId ? analysis : undefined;
  // A result without stages (a hand-made one, as in the report's own tests) has no allocation.
  const allocation = allocationOf(run.stages ?? []);
  if (!a && !allocation) return undefined;
  return {
    ...(a
      ? { analysis: { settings: a.settings, trainImages: a.trainImages, calibrationImages: a.report.calibrationImages, heldOutImages: a.report.heldOutImages, baselineAccuracy: a.report.baselineAccuracy, rows: sensitivityRows(a.report) } }
      : {}),
    ...(allocation ? { allocation } : {}),
  };
}
