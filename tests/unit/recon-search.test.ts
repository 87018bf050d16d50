/** The greedy per-layer sparsity plan (recon/search.ts) on a hand-made sensitivity report. */
import { describe, expect, it } from 'vitest';
import { planSparsities } from '../../src/engine/recon/search';
import type { SensitivityReport } from '../../src/engine/recon/sensitivity';

// a: 1000 weights, cheap to prune; b: 100 weights, costly; baseline 90%.
const report: SensitivityReport = {
  heldOutImages: 500,
  calibrationImages: 256,
  baselineAccuracy: 0.9,
  layers: [
    {
      layer: 'a',
      op: 'conv2d',
      weights: 1000,
      prune: [
        { sparsity: 0.5, outputError: 0.01, accuracy: 0.9, divergence: 0 },
        { sparsity: 0.9, outputError: 0.1, accuracy: 0.88, divergence: 0 },
      ],
      int8: { outputError: 0.001, accuracy: 0.9, divergence: 0 },
    },
    {
      layer: 'b',
      op: 'dense',
      weights: 100,
      prune: [
        { sparsity: 0.5, outputError: 0.05, accuracy: 0.885, divergence: 0 },
        { sparsity: 0.9, outputError: 0.3, accuracy: 0.7, divergence: 0 },
      ],
      int8: { outputError: 0.001, accuracy: 0.9, divergence: 0 },
    },
  ],
};

describe('planSparsities', () => {
  it('raises the cheapest layer first and stops at the budget (hand-computed)', () => {
    // Steps by weights removed per point: a→0.5 (500 / 0.01 floor), a→0.9 (400 / 2 pts), b→0.5 (50 / 1.5 pts).
    const { best, candidates } = planSparsities(report, 2.5);
    expect(candidates.map((c) => c.overrides)).toEqual([{}, { a: 0.5 }, { a: 0.9 }]);
    expect(best.predictedLossPts).toBeCloseTo(2, 9);
    expect(best.sparsity).toBeCloseTo(900 / 1100, 9);
  });
  it('a looser budget takes the next step; a zero budget only the free ones', () => {
    expect(planSparsities(report, 4).best.overrides).toEqual({ a: 0.9, b: 0.5 });
    expect(planSparsities(report, 0).best.overrides).toEqual({ a: 0.5 });
  });
});
