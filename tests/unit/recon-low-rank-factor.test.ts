import { describe, expect, it } from 'vitest';
import { inverseFactor } from '../../src/engine/recon/linalg';
import { lowRankBlock, lowRankInverseFactor } from '../../src/engine/recon/low-rank-factor';
import { obsPrune, reconstructColumns } from '../../src/engine/recon/obs';

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

/** M input vectors (M x cols, row by row) with one dead input and two collinear ones, and their Σ x xᵀ. */
function inputs(m: number, cols: number, seed: number): { x: Float64Array; h: Float64Array } {
  const rnd = rng(seed);
  const x = new Float64Array(m * cols);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < cols; i++) x[k * cols + i] = i === 3 ? 0 : rnd() * (1 + (i % 5));
    x[k * cols + 7] = 2 * x[k * cols + 5];
  }
  const h = new Float64Array(cols * cols);
  for (let k = 0; k < m; k++) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) h[i * cols + j] += x[k * cols + i] * x[k * cols + j];
  return { x, h };
}

describe('the low-rank OBS factor', () => {
  it('equals the dense factor of the damped H, dead and collinear inputs included', () => {
    const cols = 40;
    const m = 8;
    const { x, h } = inputs(m, cols, 11);
    const dense = inverseFactor(h, cols, 0.01);
    const f = lowRankInverseFactor(h, x, m, cols, 0.01);
    expect(Array.from(f.dead)).toEqual(Array.from(dense.dead));
    expect(f.dead[3]).toBe(1);
    const block = new Float64Array(cols * cols);
    lowRankBlock(f, 0, cols, block);
    let scale = 0;
    dense.u.forEach((v) => (scale = Math.max(scale, Math.abs(v))));
    for (let i = 0; i < cols * cols; i++) expect(Math.abs(block[i] - dense.u[i])).toBeLessThan(1e-9 * scale);
    // A block in the middle reads the same entries.
    const mid = new Float64Array(10 * 10);
    lowRankBlock(f, 12, 22, mid);
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) expect(mid[a * 10 + b]).toBe(block[(12 + a) * cols + 12 + b]);
  });

  it('prunes to the same mask and weights as the dense factor, in batches, on rows in fours and alone', () => {
    const rows = 7;
    const cols = 40;
    const m = 10;
    const { x, h } = inputs(m, cols, 23);
    const rnd = rng(5);
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    for (const blockSize of [8, 16, 40]) {
      const a = Float64Array.from(w0);
      const b = Float64Array.from(w0);
      const ma = obsPrune(a, rows, cols, h, { sparsity: 0.6, damp: 0.01, blockSize });
      const mb = obsPrune(b, rows, cols, h, { sparsity: 0.6, damp: 0.01, blockSize, inputs: { x, m } });
      expect(Array.from(mb)).toEqual(Array.from(ma));
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 9));
      expect(mb.filter((k) => k === 0).length).toBeGreaterThan(0.55 * rows * cols);
      mb.forEach((k, i) => k === 0 && expect(b[i]).toBe(0));
    }
  });

  it('rounds as the dense factor does (GPTQ-style targets), and leaves the dense path alone when the vectors are many', () => {
    const rows = 5;
    const cols = 32;
    const grid = (_r: number, _c: number, v: number) => Math.round(v * 3) / 3;
    for (const m of [6, 20]) {
      const { x, h } = inputs(m, cols, 31 + m);
      const w0 = Float64Array.from({ length: rows * cols }, rng(9));
      const a = Float64Array.from(w0);
      const b = Float64Array.from(w0);
      const la = reconstructColumns(a, rows, cols, h, { damp: 0.01 }, { target: grid, batch: 8 });
      const lb = reconstructColumns(b, rows, cols, h, { damp: 0.01, inputs: { x, m } }, { target: grid, batch: 8 });
      expect(lb).toBeCloseTo(la, 6);
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 9));
      if (m === 20) expect(Array.from(b)).toEqual(Array.from(a));
    }
  });
});
