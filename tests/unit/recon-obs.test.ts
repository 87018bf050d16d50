import { describe, expect, it } from 'vitest';
import { inverseFactor } from '../../src/engine/recon/linalg';
import { kthSmallest, nmBatch, obsPrune, reconstructColumns } from '../../src/engine/recon/obs';

/** Reconstruction error tr(ΔW H ΔWᵀ) = ||ΔW X||² for H = X Xᵀ. */
function recError(w0: Float64Array, w: Float64Array, rows: number, cols: number, h: Float64Array): number {
  let e = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) e += (w[r * cols + i] - w0[r * cols + i]) * h[i * cols + j] * (w[r * cols + j] - w0[r * cols + j]);
    }
  }
  return e;
}

describe('reconstructColumns', () => {
  it("gives exactly the textbook loop's weights (each row updated as its weight is fixed), on rows that change and rows that do not", () => {
    let seed = 5;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const rows = 7,
      cols = 10;
    const h = new Float64Array(cols * cols);
    for (let s = 0; s < 40; s++) {
      const x = Array.from({ length: cols }, rnd);
      for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) h[i * cols + j] += x[i] * x[j];
    }
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    // Round to a coarse grid, leaving row 2 and every weight already on the grid unchanged.
    const target = (r: number, _c: number, v: number) => (r === 2 ? v : Math.round(v * 4) / 4);
    const w = Float64Array.from(w0);
    const loss = reconstructColumns(w, rows, cols, h, { damp: 0.01 }, { target });
    const { u } = inverseFactor(h, cols, 0.01);
    const ref = Float64Array.from(w0);
    let refLoss = 0;
    for (let c = 0; c < cols; c++) {
      for (let r = 0; r < rows; r++) {
        const v = ref[r * cols + c];
        const q = target(r, c, v);
        if (q === v) continue;
        const err = (v - q) / u[c * cols + c];
        refLoss += err * err;
        ref[r * cols + c] = q;
        for (let j = c + 1; j < cols; j++) ref[r * cols + j] -= err * u[c * cols + j];
      }
    }
    expect(Array.from(w)).toEqual(Array.from(ref));
    // The loss sums the same terms row by row instead of column by column.
    expect(loss).toBeCloseTo(refLoss, 12);
    // In batches of 3 and 4 columns, and in steps of 2 within batches of 4 (the later columns updated
    // once per step, four rows at a time and alone): the same values up to the order of the sums.
    for (const [batch, step] of [
      [3, 3],
      [4, 4],
      [4, 2],
    ]) {
      const lazy = Float64Array.from(w0);
      const lazyLoss = reconstructColumns(lazy, rows, cols, h, { damp: 0.01 }, { target, batch, step });
      lazy.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
      expect(lazyLoss).toBeCloseTo(refLoss, 10);
      expect(Array.from(lazy)).not.toEqual(Array.from(w0));
    }
  });

  it('N:M batches never split a group of input channels', () => {
    expect(nmBatch(512, 4)).toBe(128);
    expect(nmBatch(3, 4)).toBe(126);
    for (const channels of [1, 3, 5, 6, 8, 12, 96, 200, 512]) {
      for (const m of [2, 4, 8]) {
        const b = nmBatch(channels, m);
        expect(b).toBeGreaterThan(0);
        // A boundary falls where a group starts: its channel index is a multiple of m.
        for (let at = b; at < 4096; at += b) expect((at % channels) % m).toBe(0);
      }
    }
  });
});

describe('obsPrune', () => {
  it('removing one weight gives the closed-form OBS update and error w²/[H⁻¹]qq', () => {
    // H = [[2,1],[1,2]], H⁻¹ = [[2,-1],[-1,2]]/3: removing w0 = 0.1 moves w1 by -w0/H⁻¹00·H⁻¹10 = +0.05.
    const h = Float64Array.from([2, 1, 1, 2]);
    const w0 = Float64Array.from([0.1, 1]);
    const w = Float64Array.from(w0);
    const mask = obsPrune(w, 1, 2, h, { sparsity: 0.5, damp: 0, blockSize: 2 });
    expect(Array.from(mask)).toEqual([0, 1]);
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo(1.05, 12);
    expect(recError(w0, w, 1, 2, h)).toBeCloseTo(0.01 / (2 / 3), 12);
  });

  it('reconstructs better than magnitude pruning at the same sparsity on correlated inputs', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const rows = 6,
      cols = 12,
      n = 64;
    const x = new Float64Array(cols * n);
    for (let s = 0; s < n; s++) {
      const base = rnd();
      for (let i = 0; i < cols; i++) x[i * n + s] = base + 0.3 * rnd();
    }
    const h = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) for (let s = 0; s < n; s++) h[i * cols + j] += x[i * n + s] * x[j * n + s];
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    const w = Float64Array.from(w0);
    const mask = obsPrune(w, rows, cols, h, { sparsity: 0.5, damp: 0.01, blockSize: 4 });
    const zeros = Array.from(mask).filter((m) => m === 0).length;
    expect(zeros).toBe((rows * cols) / 2);
    mask.forEach((m, i) => {
      if (!m) expect(w[i]).toBe(0);
    });
    const mag = Float64Array.from(w0);
    const order = Array.from(mag.keys()).sort((a, b) => Math.abs(mag[a]) - Math.abs(mag[b]));
    for (const i of order.slice(0, zeros)) mag[i] = 0;
    expect(w.every(Number.isFinite)).toBe(true);
    expect(recError(w0, w, rows, cols, h)).toBeLessThan(recError(w0, mag, rows, cols, h));
  });

  it('N:M keeps exactly N of every M input channels at each position, and reconstructs better than magnitude 2:4', () => {
    let seed = 11;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    // 2 positions x 6 channels: groups of 4 and a last group of 2 per position (keep ceil(2·2/4) = 1).
    const rows = 3,
      channels = 6,
      cols = 12,
      n = 80;
    const x = new Float64Array(cols * n);
    for (let s = 0; s < n; s++) {
      const base = rnd();
      for (let i = 0; i < cols; i++) x[i * n + s] = base + 0.5 * rnd();
    }
    const h = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) for (let s = 0; s < n; s++) h[i * cols + j] += x[i * n + s] * x[j * n + s];
    const w0 = Float64Array.from({ length: rows * cols }, rnd);
    const w = Float64Array.from(w0);
    const mask = obsPrune(w, rows, cols, h, { sparsity: 0, damp: 0.01, blockSize: 128, nm: { n: 2, m: 4, channels } });
    for (let r = 0; r < rows; r++) {
      for (const [start, size, keep] of [
        [0, 4, 2],
        [4, 2, 1],
        [6, 4, 2],
        [10, 2, 1],
      ]) {
        let kept = 0;
        for (let j = start; j < start + size; j++) kept += mask[r * cols + j];
        expect(kept).toBe(keep);
      }
    }
    mask.forEach((m, i) => {
      if (!m) expect(w[i]).toBe(0);
    });
    const mag = Float64Array.from(w0);
    for (let r = 0; r < rows; r++) {
      for (const [start, size, keep] of [
        [0, 4, 2],
        [4, 2, 1],
        [6, 4, 2],
        [10, 2, 1],
      ]) {
        const idx = Array.from({ length: size }, (_, j) => r * cols + start + j).sort((a, b) => Math.abs(mag[a]) - Math.abs(mag[b]));
        for (const i of idx.slice(0, size - keep)) mag[i] = 0;
      }
    }
    expect(recError(w0, w, rows, cols, h)).toBeLessThan(recError(w0, mag, rows, cols, h));
  });
});

describe('a Hessian that cannot be factored', () => {
  it('throws a reconstruction error instead of writing NaN weights', () => {
    const w = Float64Array.from([1, 2, 3, 4]);
    // Not positive definite (negative eigenvalue), and no damping to rescue it.
    const h = Float64Array.from([1, 2, 2, 1]);
    expect(() => obsPrune(w, 2, 2, h, { sparsity: 0.5, damp: 0, blockSize: 2 })).toThrow(/reconstruction:/);
    expect(w.every(Number.isFinite)).toBe(true);
  });
});

describe('kthSmallest', () => {
  it('equals the k-th value of the sorted array, for every k, with ties and on sorted input', () => {
    let seed = 3;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const cases = [
      Float64Array.from({ length: 200 }, rnd),
      Float64Array.from({ length: 97 }, () => Math.floor(rnd() * 5)),
      Float64Array.from({ length: 64 }, (_, i) => i),
      Float64Array.from({ length: 50 }, (_, i) => 50 - i),
      Float64Array.from([7]),
      new Float64Array(33),
    ];
    for (const v of cases) {
      const sorted = Float64Array.from(v).sort();
      expect(kthSmallest(v, 0)).toBe(-Infinity);
      for (let k = 1; k <= v.length; k++) expect(kthSmallest(v, k)).toBe(sorted[k - 1]);
    }
  });
});
