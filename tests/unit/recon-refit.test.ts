import { describe, expect, it } from 'vitest';
import { obsPrune } from '../../src/engine/recon/obs';
import { refitCost, refitRows } from '../../src/engine/recon/refit';
import { gaussSolve } from './recon-fixtures';

function rng(seed: number) {
  return (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

/** H = Σ x xᵀ over `samples` random vectors, with input `dead` zero on all of them. */
function hessian(cols: number, samples: number, rnd: () => number, dead = -1): Float64Array {
  const h = new Float64Array(cols * cols);
  for (let s = 0; s < samples; s++) {
    // Correlated inputs (as a conv's neighbouring pixels are), so compensation has work to do.
    const base = rnd();
    const x = Array.from({ length: cols }, (_, i) => (i === dead ? 0 : rnd() + 0.8 * base));
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) h[i * cols + j] += x[i] * x[j];
  }
  return h;
}

function damped(h: Float64Array, cols: number, damp: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < cols; i++) mean += h[i * cols + i];
  mean /= cols;
  const hd = Float64Array.from(h);
  for (let i = 0; i < cols; i++) hd[i * cols + i] = (hd[i * cols + i] === 0 ? 1 : hd[i * cols + i]) + damp * mean;
  return hd;
}

/** (w − ŵ) Ĥ (w − ŵ)ᵀ summed over rows. */
function error(w: Float64Array, w0: Float64Array, rows: number, cols: number, hd: Float64Array): number {
  let e = 0;
  for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) e += (w[r * cols + i] - w0[r * cols + i]) * hd[i * cols + j] * (w[r * cols + j] - w0[r * cols + j]);
  return e;
}

describe('refitRows', () => {
  const rows = 6;
  const cols = 13;
  const damp = 0.01;

  it('gives each row the least-squares weights of its kept set (an independent solve), never more error than SparseGPT, and zero off the mask', () => {
    const rnd = rng(11);
    const dead = 4;
    const h = hessian(cols, 30, rnd, dead);
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    const hd = damped(h, cols, damp);
    // 30%: every row solves on its removed weights; 80%: on its kept ones; 50%: some of each.
    for (const sparsity of [0.3, 0.5, 0.8]) {
      const w = Float64Array.from(w0);
      const mask = obsPrune(w, rows, cols, h, { sparsity, damp, blockSize: 4 });
      const sparse = Float64Array.from(w);
      expect(refitRows(w, w0, rows, cols, h, mask, damp)).toBe(true);
      for (let r = 0; r < rows; r++) {
        // The kept set without the dead input, solved by elimination on the normal equations
        // Ĥ_SS w_S = (ŵ Ĥ)_S.
        const s = [...Array(cols).keys()].filter((c) => mask[r * cols + c] && c !== dead);
        const rhs = s.map((j) => [...Array(cols).keys()].reduce((acc, i) => acc + w0[r * cols + i] * hd[i * cols + j], 0));
        const ref = gaussSolve(
          s.map((i) => s.map((j) => hd[i * cols + j])),
          rhs,
        );
        for (let c = 0; c < cols; c++) {
          const k = s.indexOf(c);
          if (k < 0) expect(w[r * cols + c]).toBe(0);
          else expect(w[r * cols + c]).toBeCloseTo(ref[k], 9);
        }
      }
      const before = error(sparse, w0, rows, cols, hd);
      const after = error(w, w0, rows, cols, hd);
      expect(after).toBeLessThan(before);
      // SparseGPT's own update is not the optimum for its mask: the refit gains something measurable.
      expect(after).toBeLessThan(0.999 * before);
    }
  });

  it('leaves the weights alone when the refit would cost more than allowed, and says so', () => {
    const rnd = rng(3);
    const h = hessian(cols, 30, rnd);
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    const w = Float64Array.from(w0);
    const mask = obsPrune(w, rows, cols, h, { sparsity: 0.5, damp, blockSize: 4 });
    const sparse = Float64Array.from(w);
    const cost = refitCost(mask, rows, cols, h);
    // Per row the cheaper solve, |n|³/3 + n·cols for n kept or n removed weights, and G = Ĥ⁻¹ (cols³/3) once if any row solves on the removed ones.
    let expected = 0;
    let inverse = false;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += mask[r * cols + c];
      const [viaKept, viaRemoved] = [s ** 3 / 3 + s * cols, (cols - s) ** 3 / 3 + (cols - s) * cols];
      expected += Math.min(viaKept, viaRemoved);
      inverse ||= viaRemoved < viaKept;
    }
    expect(cost).toBeCloseTo(expected + (inverse ? cols ** 3 / 3 : 0), 6);
    expect(refitRows(w, w0, rows, cols, h, mask, damp, cost - 1)).toBe(false);
    expect(Array.from(w)).toEqual(Array.from(sparse));
  });
});
