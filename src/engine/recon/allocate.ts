/**
 * Spreads a global sparsity over layers from their measured sensitivity: remove `target` of all the
 * layers' weights at the least summed cost, where each layer's cost is its sensitivity curve (cost
 * at a few sparsities, 0 when dense) read as piecewise linear. On each curve's lower convex hull
 * the cost per weight removed only rises, so taking hull segments from the cheapest per weight
 * up, across all layers, and the last one in part, is the optimum of that piecewise-linear model
 * (a water-filling; no solver needed). Costs add across layers, which holds for small changes,
 * so the caller measures the result instead of trusting the sum.
 */
import { StudioError } from '../errors';

export interface LayerCurve {
  layer: string;
  weights: number;
  /** Cost at each measured sparsity (in any order; sparsity 0 costs 0 unless listed). */
  points: readonly { sparsity: number; cost: number }[];
}

export interface Allocation {
  /** Layer name -> sparsity, for every layer given (pinned ones as pinned). */
  sparsities: Record<string, number>;
  /** Summed cost of the unpinned layers, read off their hulls. */
  predictedCost: number;
}

/** Lower convex hull of the points (with (0,0) when no point is at sparsity 0), left to right (Andrew's monotone chain, lower half). */
export function lowerHull(points: readonly { sparsity: number; cost: number }[]): { sparsity: number; cost: number }[] {
  const pts = [...(points.some((p) => p.sparsity === 0) ? [] : [{ sparsity: 0, cost: 0 }]), ...points].sort((a, b) => a.sparsity - b.sparsity);
  const hull: { sparsity: number; cost: number }[] = [];
  for (const p of pts) {
    if (hull.length && hull[hull.length - 1].sparsity === p.sparsity) {
      if (p.cost < hull[hull.length - 1].cost) hull.pop();
      else continue;
    }
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      // b is not below the chord a→p: drop it.
      if ((b.cost - a.cost) * (p.sparsity - a.sparsity) >= (p.cost - a.cost) * (b.sparsity - a.sparsity)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

export function allocateSparsity(curves: readonly LayerCurve[], target: number, pinned: Readonly<Record<string, number>> = {}): Allocation {
  const total = curves.reduce((a, c) => a + c.weights, 0);
  const sparsities: Record<string, number> = {};
  let need = target * total;
  const free: LayerCurve[] = [];
  for (const c of curves) {
    if (c.layer in pinned) {
      sparsities[c.layer] = pinned[c.layer];
      need -= pinned[c.layer] * c.weights;
    } else {
      sparsities[c.layer] = 0;
      free.push(c);
    }
  }
  const segments = free.flatMap((c) => {
    const h = lowerHull(c.points);
    return h.slice(1).map((p, i) => ({ curve: c, from: h[i], to: p, perWeight: (p.cost - h[i].cost) / ((p.sparsity - h[i].sparsity) * c.weights || 1) }));
  });
  const reachable = segments.reduce((a, s) => a + (s.to.sparsity - s.from.sparsity) * s.curve.weights, 0);
  // A rounding margin: a target equal to the reachable maximum must not fail on the last bit.
  if (need > reachable * (1 + 1e-9) + 1e-6) {
    const most = (target * total - need + reachable) / total;
    throw new StudioError(
      'bad-settings',
      `A sparsity of ${(target * 100).toFixed(1)}% of the pruned layers' weights cannot be spread over them: with each layer at most at its highest measured sparsity, and the pinned layers as pinned, ${(Math.max(0, most) * 100).toFixed(1)}% is the most.`,
      { field: 'prune.sparsity' },
    );
  }
  // Stable order: equal costs go to the layer listed first, then its lower segments first.
  segments.sort((a, b) => a.perWeight - b.perWeight);
  let cost = 0;
  for (const s of segments) {
    if (need <= 1e-9) break;
    const span = (s.to.sparsity - s.from.sparsity) * s.curve.weights;
    const part = Math.min(1, need / span);
    sparsities[s.curve.layer] = s.from.sparsity + part * (s.to.sparsity - s.from.sparsity);
    cost += part * (s.to.cost - s.from.cost);
    need -= part * span;
  }
  return { sparsities, predictedCost: cost };
}
