/**
 * Per-layer sparsities under an accuracy budget, from a sensitivity report (sensitivity.ts): a
 * greedy ascent that repeatedly raises the layer whose next sparsity level removes the most
 * weights per point of accuracy lost, while the summed single-layer losses stay within the
 * budget. Summing assumes the layers' losses add up, which holds for small losses and is
 * optimistic for large ones; the caller measures the chosen plan (the CLI's `search` does) rather
 * than trusting the prediction. Every step is kept as a candidate so the trade-off can be shown.
 */
import type { SensitivityReport } from './sensitivity';

export interface SparsityPlan {
  /** Layer name -> sparsity, for prune.overrides (layers not named stay dense). */
  overrides: Record<string, number>;
  /** Summed single-layer accuracy losses on the held-back images, in points. */
  predictedLossPts: number;
  /** Fraction of all weighted layers' weights removed. */
  sparsity: number;
}

/** A loss under this many points counts as this many, so a free step still ranks by the weights it removes. */
const MIN_COST_PTS = 0.01;

export function planSparsities(r: SensitivityReport, maxLossPts: number): { best: SparsityPlan; candidates: SparsityPlan[] } {
  const total = r.layers.reduce((a, l) => a + l.weights, 0);
  const level = new Map(r.layers.map((l) => [l.layer, -1]));
  const lossOf = (layer: string, i: number): number => {
    if (i < 0) return 0;
    const l = r.layers.find((x) => x.layer === layer)!;
    return Math.max(0, (r.baselineAccuracy - l.prune[i].accuracy) * 100);
  };
  const plan = (): SparsityPlan => {
    const overrides: Record<string, number> = {};
    let removed = 0;
    let loss = 0;
    for (const l of r.layers) {
      const i = level.get(l.layer)!;
      if (i < 0) continue;
      overrides[l.layer] = l.prune[i].sparsity;
      removed += l.weights * l.prune[i].sparsity;
      loss += lossOf(l.layer, i);
    }
    return { overrides, predictedLossPts: loss, sparsity: total ? removed / total : 0 };
  };
  const candidates: SparsityPlan[] = [plan()];
  for (;;) {
    const current = candidates[candidates.length - 1].predictedLossPts;
    let pick: { layer: string; ratio: number } | undefined;
    for (const l of r.layers) {
      const i = level.get(l.layer)!;
      if (i + 1 >= l.prune.length) continue;
      const gain = l.weights * (l.prune[i + 1].sparsity - (i < 0 ? 0 : l.prune[i].sparsity));
      const cost = lossOf(l.layer, i + 1) - lossOf(l.layer, i);
      if (current + cost > maxLossPts) continue;
      const ratio = gain / Math.max(MIN_COST_PTS, cost);
      if (!pick || ratio > pick.ratio) pick = { layer: l.layer, ratio };
    }
    if (!pick) break;
    level.set(pick.layer, level.get(pick.layer)! + 1);
    candidates.push(plan());
  }
  return { best: candidates[candidates.length - 1], candidates };
}
