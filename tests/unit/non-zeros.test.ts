import { describe, expect, it } from 'vitest';
import { countNonZeros } from '../../src/engine/metrics/non-zeros';

describe('countNonZeros', () => {
  it('counts by hand-checked cases: -0 is zero, NaN and the smallest subnormal are not', () => {
    expect(countNonZeros(new Float32Array([0, -0, 1, -2.5, Number.NaN, 1e-45, 0]))).toBe(4);
    expect(countNonZeros(new Int8Array([0, 0, -128, 127, 0, 1]))).toBe(3);
    expect(countNonZeros(new Float32Array(0))).toBe(0);
  });

  it('agrees with a branching count on a random half-pruned array', () => {
    let seed = 9;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const v = Float32Array.from({ length: 10_001 }, () => (rnd() < 0.5 ? 0 : rnd() - 0.5));
    let n = 0;
    for (const x of v) if (x !== 0) n++;
    expect(countNonZeros(v)).toBe(n);
    expect(n).toBeGreaterThan(4000);
    expect(n).toBeLessThan(6000);
  });
});
