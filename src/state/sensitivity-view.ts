/**
 * What the sensitivity view draws, from an analysis (jobs/sensitivity.ts) and the last run: one
 * series per layer against sparsity in percent, each layer's int8 trial at a column of its own left
 * of 0%, and, when the run pruned with sensitivity allocation, a mark at the sparsity it chose for
 * each layer, read off that layer's curve. Pure; the chart and the table only lay it out.
 */
import { allocationOf, type AllocationRow } from '../engine/export/sensitivity-section';
import type { StageRecord } from '../engine/jobs/compress';
import type { SensitivityReport } from '../engine/recon/sensitivity';
import type { SensitivityMetric } from './sensitivity-slice';

/** The x of the int8 column (percent axis), labelled "int8": int8 prunes nothing, but is no point of the sparsity curve either. */
export const INT8_X = -12;
/**
 * The divergence axis is logarithmic (from ~1e-6 for int8 to ~1 for a broken layer); values below
 * this floor, 0 among them, are drawn at it.
 */
export const DIVERGENCE_FLOOR = 1e-7;

export interface XY {
  x: number;
  y: number;
}

export interface LayerSeries {
  layer: string;
  op: string;
  weights: number;
  /** Sparsity (%) against the metric, in sparsity order; accuracy starts from the unchanged model at 0%. */
  points: XY[];
  int8: XY;
  /** The run's sparsity for this layer (%), and the metric there (absent beyond the measured sparsities). */
  chosen?: { x: number; y?: number };
}

/** The metric of one trial as plotted: accuracy in percent, or the divergence (nats) held at the floor. */
export function plotted(p: { accuracy: number; divergence: number }, metric: SensitivityMetric): number {
  return metric === 'accuracy' ? p.accuracy * 100 : Math.max(DIVERGENCE_FLOOR, p.divergence);
}

/** Linear interpolation along points sorted by x; undefined outside their range. */
export function interpolate(points: readonly XY[], x: number): number | undefined {
  for (let i = 0; i < points.length; i++) {
    const b = points[i];
    if (x === b.x) return b.y;
    if (i > 0 && x < b.x) {
      const a = points[i - 1];
      if (x < a.x) return undefined;
      return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
    }
  }
  return undefined;
}

/**
 * One series per layer in network order. The accuracy curve starts at 0% from the unchanged
 * model's held-back accuracy (a layer pruned 0% is the model itself); the divergence there is 0,
 * which a log axis cannot show, so its curve starts at the first measured sparsity.
 */
export function sensitivitySeries(r: SensitivityReport, metric: SensitivityMetric, allocation?: readonly AllocationRow[]): LayerSeries[] {
  const chosen = new Map(allocation?.map((a) => [a.layer, a.sparsity]));
  return r.layers.map((l) => {
    const measured = [...l.prune].sort((a, b) => a.sparsity - b.sparsity).map((p) => ({ x: p.sparsity * 100, y: plotted(p, metric) }));
    const points = metric === 'accuracy' ? [{ x: 0, y: r.baselineAccuracy * 100 }, ...measured] : measured;
    const s = chosen.get(l.layer);
    // A chosen 0% on the divergence axis is the unchanged layer: no cost, drawn at the floor.
    const at = s === undefined ? undefined : s === 0 && metric === 'divergence' ? DIVERGENCE_FLOOR : interpolate(points, s * 100);
    return { layer: l.layer, op: l.op, weights: l.weights, points, int8: { x: INT8_X, y: plotted(l.int8, metric) }, ...(s !== undefined ? { chosen: { x: s * 100, ...(at !== undefined ? { y: at } : {}) } } : {}) };
  });
}

/** The per-layer sparsities the run chose by sensitivity, when the run is of this model and allocated so. */
export function runAllocation(r: { modelId: string; stages: readonly Pick<StageRecord, 'stage' | 'detail'>[] } | undefined, modelId: string | undefined): AllocationRow[] | undefined {
  return r && r.modelId === modelId ? allocationOf(r.stages) : undefined;
}
