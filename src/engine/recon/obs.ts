/**
 * Layer-wise reconstruction of one weight matrix W (rows = outputs, cols = inputs) against its
 * input Hessian H = X Xᵀ: columns are fixed one at a time (to zero where pruned, to the int8 grid
 * where quantized), and each fixed weight's error is pushed onto the not-yet-fixed columns of its
 * row by the Optimal Brain Surgeon update (Hassibi & Stork 1993). This is the shared core of
 * SparseGPT (Frantar & Alistarh 2023, arXiv:2301.00774) for pruning and GPTQ (Frantar et al. 2022,
 * arXiv:2210.17323) for rounding; references: https://github.com/IST-DASLab/sparsegpt and /gptq.
 */
import { select } from '../prune/magnitude';
import { addRowProducts, FIT_ROWS, inverseFactor } from './linalg';

export interface ReconOptions {
  /** Damping as a fraction of the mean diagonal of H (SparseGPT and GPTQ use 0.01). */
  damp: number;
}

/**
 * What happens to each column: `select(c, w)` may choose masks before column c is fixed (it sees
 * the weights as updated so far, in columns c to the end of its batch: see `batch`), `target(r, c, v)`
 * is the value weight (r, c) is fixed to.
 */
export interface ColumnRule {
  select?(c: number, w: Float64Array, diag: (c: number) => number): void;
  target(r: number, c: number, v: number): number;
  /**
   * Columns fixed per batch (default 128; `select` must not read past its batch). Within a batch
   * each fixed weight's error reaches the batch's later columns at once; the columns after the batch
   * receive the whole batch's errors in one product when it ends (SparseGPT's and GPTQ's "lazy
   * batch" updates): the same arithmetic summed in another order, done by the four-row product
   * kernel, where one column at a time made a pass over every later column for each fixed column.
   */
  batch?: number;
}

/**
 * Fixes every column of `w` in place by `rule` and compensates on the later columns. Returns the
 * reconstruction error Σ (w - target)² / [U]cc² (the OBS loss, up to a constant factor).
 * Never writes NaN: a singular H throws instead.
 */
export function reconstructColumns(w: Float64Array, rows: number, cols: number, h: Float64Array, opts: ReconOptions, rule: ColumnRule): number {
  const { u, dead } = inverseFactor(h, cols, opts.damp);
  // A dead input (zero on every calibration image) carries no information: its weights go.
  for (let c = 0; c < cols; c++) if (dead[c]) for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
  const diag = (c: number): number => u[c * cols + c];
  let loss = 0;
  const batch = Math.max(1, Math.min(cols, rule.batch ?? 128));
  // The rows that change at column c, with their errors: their updates within the batch are applied
  // four rows at a time, so each value of U's row c is read once for four rows.
  const moved = new Int32Array(rows);
  const errs = new Float64Array(rows);
  // The batch's errors, negated (rows x batch): the update of the columns after the batch.
  const lazy = new Float64Array(rows * batch);
  for (let c0 = 0; c0 < cols; c0 += batch) {
    const c1 = Math.min(cols, c0 + batch);
    const width = c1 - c0;
    lazy.fill(0);
    for (let c = c0; c < c1; c++) {
      rule.select?.(c, w, diag);
      const d = diag(c);
      const uc = c * cols;
      let n = 0;
      for (let r = 0; r < rows; r++) {
        const idx = r * cols + c;
        const v = w[idx];
        const q = rule.target(r, c, v);
        if (q === v) continue;
        const err = (v - q) / d;
        loss += err * err;
        w[idx] = q;
        lazy[r * batch + c - c0] = -err;
        moved[n] = r * cols;
        errs[n++] = err;
      }
      let k = 0;
      for (; k + 3 < n; k += 4) {
        const r0 = moved[k];
        const r1 = moved[k + 1];
        const r2 = moved[k + 2];
        const r3 = moved[k + 3];
        const e0 = errs[k];
        const e1 = errs[k + 1];
        const e2 = errs[k + 2];
        const e3 = errs[k + 3];
        for (let j = c + 1; j < c1; j++) {
          const uj = u[uc + j];
          w[r0 + j] -= e0 * uj;
          w[r1 + j] -= e1 * uj;
          w[r2 + j] -= e2 * uj;
          w[r3 + j] -= e3 * uj;
        }
      }
      for (; k < n; k++) {
        const rr = moved[k];
        const err = errs[k];
        for (let j = c + 1; j < c1; j++) w[rr + j] -= err * u[uc + j];
      }
    }
    if (c1 === cols) break;
    // W[:, c1:] += (−E) U[c0:c1, c1:], four rows at a time (E = the batch's errors).
    let r = 0;
    for (; r + FIT_ROWS <= rows; r += FIT_ROWS) addRowProducts(w.subarray(r * cols), cols, lazy, batch, r * batch, width, u, cols, c0, c1, cols);
    for (; r < rows; r++) {
      for (let k = 0; k < width; k++) {
        const e = lazy[r * batch + k];
        if (e === 0) continue;
        const uk = (c0 + k) * cols;
        for (let j = c1; j < cols; j++) w[r * cols + j] += e * u[uk + j];
      }
    }
  }
  return loss;
}

export interface ObsPruneOptions extends ReconOptions {
  /** Fraction of this layer's weights to remove (unstructured). */
  sparsity: number;
  /** Columns per block over which the mask is chosen jointly, from the weights as updated so far. */
  blockSize: number;
  /**
   * N:M instead of a sparsity: keep N of every M consecutive input channels, as magnitude.ts
   * nmMask groups them; `channels` is the input channel count (cols = positions x channels).
   */
  nm?: { n: number; m: number; channels: number };
}

/**
 * The k-th smallest value (1-based) of `v`; -Infinity for k = 0. Selection on a copy (magnitude.ts
 * `select`): linear on average, where sorting a 1,024 x 128 block of scores for one threshold took
 * a third of a second per MobileNet preview.
 */
export function kthSmallest(v: Float64Array, k: number): number {
  return k > 0 ? select(Float64Array.from(v), k - 1) : -Infinity;
}

/**
 * Columns per batch of reconstructColumns for N:M, so that no batch boundary splits a group (a group
 * starts where the channel index is a multiple of m, and ends at m or at the last channel): about 128,
 * a multiple of m when m divides the channels, else a multiple of the channels.
 */
export function nmBatch(channels: number, m: number): number {
  if (channels % m === 0) return Math.max(m, Math.floor(128 / m) * m);
  return Math.max(1, Math.floor(128 / channels)) * channels;
}

/**
 * Prunes `w` (rows x cols, row-major) in place against Hessian `h` (cols x cols) by OBS saliency
 * w²/[H⁻¹]cc, choosing the mask block by block (SparseGPT's adaptive mask selection) or N:M group by
 * group. Returns the mask (1 = kept).
 */
export function obsPrune(w: Float64Array, rows: number, cols: number, h: Float64Array, opts: ObsPruneOptions): Uint8Array {
  const mask = new Uint8Array(rows * cols).fill(1);
  const saliency = (v: number, d: number): number => (v * v) / (d * d);
  const selectBlock = (c: number, wNow: Float64Array, diag: (c: number) => number): void => {
    if (c % opts.blockSize !== 0) return;
    const c1 = Math.min(cols, c + opts.blockSize);
    const width = c1 - c;
    const scores = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) for (let j = c; j < c1; j++) scores[r * width + j - c] = saliency(wNow[r * cols + j], diag(j));
    const k = Math.floor(scores.length * opts.sparsity);
    const thresh = kthSmallest(scores, k);
    let removed = 0;
    for (let i = 0; i < scores.length && removed < k; i++) {
      if (scores[i] <= thresh) {
        mask[Math.floor(i / width) * cols + c + (i % width)] = 0;
        removed++;
      }
    }
  };
  const selectGroup = (c: number, wNow: Float64Array, diag: (c: number) => number): void => {
    const { n, m, channels } = opts.nm!;
    const ch = c % channels;
    if (ch % m !== 0) return;
    const size = Math.min(m, channels - ch);
    const keep = Math.ceil((size * n) / m);
    for (let r = 0; r < rows; r++) {
      const members = Array.from({ length: size }, (_, j) => c + j);
      const s = (j: number): number => saliency(wNow[r * cols + j], diag(j));
      members.sort((a, b) => s(a) - s(b) || a - b);
      for (let j = 0; j < size - keep; j++) mask[r * cols + members[j]] = 0;
    }
  };
  reconstructColumns(w, rows, cols, h, opts, { select: opts.nm ? selectGroup : selectBlock, target: (r, c, v) => (mask[r * cols + c] ? v : 0), batch: opts.nm ? nmBatch(opts.nm.channels, opts.nm.m) : opts.blockSize });
  return mask;
}
