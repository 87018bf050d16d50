import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/engine/metrics/classification';
import { percentile } from '../../src/engine/metrics/latency';

describe('classification metrics on a hand-made example', () => {
  // truth:     0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 1 2 1 1 0 2 2 2
  const truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 2];
  const m = classificationMetrics(truth, pred, 3);

  it('builds the confusion matrix (rows true, columns predicted)', () => {
    expect(m.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 0, 3],
    ]);
  });

  it('computes accuracy, per-class and macro recall, precision and F1', () => {
    expect(m.accuracy).toBeCloseTo(7 / 10, 12);
    expect(m.perClassRecall).toEqual([2 / 4, 2 / 3, 3 / 3]);
    expect(m.macroRecall).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    // precision: class 0: 2/3, class 1: 2/3, class 2: 3/4
    expect(m.macroPrecision).toBeCloseTo((2 / 3 + 2 / 3 + 3 / 4) / 3, 12);
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    expect(m.macroF1).toBeCloseTo((f1(2 / 3, 0.5) + f1(2 / 3, 2 / 3) + f1(3 / 4, 1)) / 3, 12);
  });

  it('counts a class never seen nor predicted as zero in the macro means', () => {
    const r = classificationMetrics([0, 0], [0, 0], 2);
    expect(r.macroRecall).toBe(0.5);
    expect(r.macroPrecision).toBe(0.5);
  });
});

describe('percentile', () => {
  it('takes the nearest-rank percentile', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 95)).toBe(10);
    expect(percentile([3], 95)).toBe(3);
  });
});
