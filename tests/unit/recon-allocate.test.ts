import { describe, expect, it } from 'vitest';
import { allocateSparsity, lowerHull } from '../../src/engine/recon/allocate';

describe('lowerHull', () => {
  it('drops a point above the chord and keeps (0,0)', () => {
    const h = lowerHull([
      { sparsity: 0.5, cost: 1 },
      { sparsity: 0.25, cost: 0.9 },
      { sparsity: 1, cost: 3 },
    ]);
    // (0.25, 0.9) lies above the chord from (0,0) to (0.5,1): 0.9 > 0.5.
    expect(h).toEqual([
      { sparsity: 0, cost: 0 },
      { sparsity: 0.5, cost: 1 },
      { sparsity: 1, cost: 3 },
    ]);
  });
});

describe('allocateSparsity', () => {
  it('fills the cheapest layer first and splits the last segment to hit the target exactly', () => {
    // a: 100 weights, cost 1 per unit of sparsity up to 0.9 (0.01 per weight removed);
    // b: 100 weights, cost 10 per unit (0.1 per weight). Target 50% = 100 weights:
    // a takes 90, b the remaining 10 (sparsity 0.1). Cost 0.9 + 1.0 = 1.9.
    const a = allocateSparsity(
      [
        { layer: 'a', weights: 100, points: [{ sparsity: 0.9, cost: 0.9 }] },
        { layer: 'b', weights: 100, points: [{ sparsity: 0.9, cost: 9 }] },
      ],
      0.5,
    );
    expect(a.sparsities.a).toBeCloseTo(0.9, 12);
    expect(a.sparsities.b).toBeCloseTo(0.1, 12);
    expect(a.predictedCost).toBeCloseTo(1.9, 12);
  });

  it('weighs layers by their size: a big tolerant layer takes the pruning', () => {
    const a = allocateSparsity(
      [
        {
          layer: 'small',
          weights: 10,
          points: [
            { sparsity: 0.5, cost: 0.01 },
            { sparsity: 0.9, cost: 1 },
          ],
        },
        {
          layer: 'big',
          weights: 1000,
          points: [
            { sparsity: 0.5, cost: 0.01 },
            { sparsity: 0.9, cost: 1 },
          ],
        },
      ],
      0.45,
    );
    // Per weight removed, the big layer's first segment costs 0.01/500, the small one's 0.01/5.
    expect(a.sparsities.small).toBe(0);
    expect(a.sparsities.big).toBeCloseTo((0.45 * 1010) / 1000, 12);
  });

  it('is the optimum of the piecewise-linear model (checked against every grid allocation)', () => {
    const curves = [
      {
        layer: 'x',
        weights: 30,
        points: [
          { sparsity: 0.5, cost: 0.2 },
          { sparsity: 0.8, cost: 1 },
        ],
      },
      {
        layer: 'y',
        weights: 70,
        points: [
          { sparsity: 0.5, cost: 0.1 },
          { sparsity: 0.8, cost: 2 },
        ],
      },
    ];
    const cost = (l: (typeof curves)[number], s: number): number => {
      const pts = [{ sparsity: 0, cost: 0 }, ...l.points];
      for (let i = 1; i < pts.length; i++) if (s <= pts[i].sparsity + 1e-12) return pts[i - 1].cost + ((s - pts[i - 1].sparsity) / (pts[i].sparsity - pts[i - 1].sparsity)) * (pts[i].cost - pts[i - 1].cost);
      return Infinity;
    };
    const target = 0.6;
    const a = allocateSparsity(curves, target);
    let best = Infinity;
    for (let i = 0; i <= 800; i++) {
      const sx = i / 1000;
      const sy = (target * 100 - 30 * sx) / 70;
      if (sy < 0 || sy > 0.8) continue;
      best = Math.min(best, cost(curves[0], sx) + cost(curves[1], sy));
    }
    expect(30 * a.sparsities.x + 70 * a.sparsities.y).toBeCloseTo(60, 9);
    expect(a.predictedCost).toBeLessThanOrEqual(best + 1e-9);
  });

  it('keeps pinned layers as pinned and counts their weights toward the target', () => {
    const a = allocateSparsity(
      [
        { layer: 'p', weights: 100, points: [] },
        { layer: 'q', weights: 100, points: [{ sparsity: 0.95, cost: 1 }] },
      ],
      0.6,
      { p: 0.9 },
    );
    expect(a.sparsities.p).toBe(0.9);
    expect(a.sparsities.q).toBeCloseTo(0.3, 12);
  });

  it('refuses a target beyond every layer at its highest measured sparsity, naming the most it can do', () => {
    expect(() => allocateSparsity([{ layer: 'a', weights: 100, points: [{ sparsity: 0.9, cost: 1 }] }], 0.95)).toThrow(/90\.0% is the most/);
  });
});
