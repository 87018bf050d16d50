/**
 * The factorizations reconstruction rests on (recon/linalg.ts), against their definitions in
 * float64: U from the reversed Cholesky must satisfy UᵀU (H + λI) = I and be upper triangular with
 * a positive diagonal (so it is the Cholesky factor OBS needs), and applying it must equal
 * multiplying by the explicit inverse.
 */
import { describe, expect, it } from 'vitest';
import { applyInverse, applyInverseRows, choleskyLower, FACTOR_BLOCK, FIT_ROWS, inverseFactor, spdInverse } from '../../src/engine/recon/linalg';

/** A seeded SPD matrix X Xᵀ (n x n from n x m), with one dead input when asked. */
function spd(n: number, m: number, seed: number, dead?: number): Float64Array {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x = Array.from({ length: n * m }, rand);
  if (dead !== undefined) for (let k = 0; k < m; k++) x[dead * m + k] = 0;
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) h[i * n + j] += x[i * m + k] * x[j * m + k];
  return h;
}

/** H + λI as linalg.ts damps it (λ = damp x mean diagonal, a dead input's diagonal set to 1 first). */
function damped(h: Float64Array, n: number, damp: number): Float64Array {
  const a = Float64Array.from(h);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += h[i * n + i];
  mean /= n;
  for (let i = 0; i < n; i++) a[i * n + i] = (a[i * n + i] === 0 ? 1 : a[i * n + i]) + damp * mean;
  return a;
}

describe('inverseFactor', () => {
  for (const [n, m, dead] of [
    [7, 20, undefined],
    [40, 30, undefined],
    [33, 50, 5],
  ] as const) {
    it(`n=${n} from ${m} samples${dead !== undefined ? ', one dead input' : ''}: UᵀU (H + λI) = I, U upper with a positive diagonal`, () => {
      const h = spd(n, m, n * 31 + m, dead);
      const { u, dead: deadMask } = inverseFactor(h, n, 0.01);
      const a = damped(h, n, 0.01);
      for (let i = 0; i < n; i++) {
        expect(u[i * n + i]).toBeGreaterThan(0);
        for (let j = 0; j < i; j++) expect(u[i * n + j]).toBe(0);
      }
      let worst = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          // (UᵀU A)_ij = Σ_k Σ_l U_ki U_kl A_lj
          let s = 0;
          for (let k = 0; k < n; k++) {
            let ua = 0;
            for (let l = 0; l < n; l++) ua += u[k * n + l] * a[l * n + j];
            s += u[k * n + i] * ua;
          }
          worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
        }
      }
      expect(worst).toBeLessThan(1e-9);
      expect([...deadMask].map((d, i) => (d ? i : -1)).filter((i) => i >= 0)).toEqual(dead !== undefined ? [dead] : []);
    });
  }

  it('applying the factor equals multiplying by the explicit inverse', () => {
    const n = 25;
    const h = spd(n, 40, 7);
    const inv = spdInverse(damped(h, n, 0.01), n);
    const t = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const out = new Float64Array(n);
    applyInverse(inverseFactor(h, n, 0.01), n, t, out);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += t[i] * inv[i * n + j];
      expect(out[j]).toBeCloseTo(s, 10);
    }
  });

  it('four rows through the factor at once equal each row through it alone', () => {
    const n = 31;
    const f = inverseFactor(spd(n, 50, 3), n, 0.01);
    const t = Float64Array.from({ length: FIT_ROWS * n }, (_, i) => Math.cos(3 * i + 1));
    const out = new Float64Array(FIT_ROWS * n);
    applyInverseRows(f, n, t, out, FIT_ROWS);
    for (let q = 0; q < FIT_ROWS; q++) {
      const one = new Float64Array(n);
      applyInverse(f, n, t.subarray(q * n, (q + 1) * n), one);
      for (let j = 0; j < n; j++) expect(out[q * n + j]).toBeCloseTo(one[j], 11);
    }
  });

  it('a Hessian that is not positive definite even after damping is refused, not turned into NaN', () => {
    const h = new Float64Array([1, 2, 2, 1]);
    expect(() => inverseFactor(h, 2, 0.01)).toThrow(/^reconstruction: .*singular/);
  });

  // Sizes around the block: one block, one column over, several blocks with a remainder of rows
  // that is not a multiple of four (the product kernel's rows) and a partial last block.
  for (const n of [3, FACTOR_BLOCK, FACTOR_BLOCK + 1, 2 * FACTOR_BLOCK + 39]) {
    it(`n=${n}: the blocked Cholesky gives L Lᵀ = A with L lower and zero above, and the inverse through it gives A A⁻¹ = I`, () => {
      const a = damped(spd(n, n + 7, n * 13 + 1), n, 0.01);
      const l = Float64Array.from(a);
      expect(choleskyLower(l, n)).toBe(true);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        expect(l[i * n + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += l[i * n + k] * l[j * n + k];
          worst = Math.max(worst, Math.abs(s - a[i * n + j]) / Math.abs(a[i * n + i]));
        }
      }
      expect(worst).toBeLessThan(1e-12);
      const inv = spdInverse(a, n);
      worst = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
          worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
        }
      }
      expect(worst).toBeLessThan(1e-8);
    });
  }

  it(`a factor over several blocks (n=${2 * FACTOR_BLOCK + 21}) still gives UᵀU (H + λI) = I with U upper`, () => {
    const n = 2 * FACTOR_BLOCK + 21;
    const h = spd(n, 3 * n, 99, 17);
    const { u } = inverseFactor(h, n, 0.01);
    const a = damped(h, n, 0.01);
    // U A, then Uᵀ (U A): n³ each.
    const ua = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let l = k; l < n; l++) for (let j = 0; j < n; j++) ua[k * n + j] += u[k * n + l] * a[l * n + j];
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) expect(u[i * n + j]).toBe(0);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += u[k * n + i] * ua[k * n + j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-8);
  });
});
