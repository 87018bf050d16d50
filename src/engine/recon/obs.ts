/**
 * Layer-wise reconstruction of one weight matrix W (rows = outputs, cols = inputs) against its
 * input Hessian H = X Xᵀ: columns are fixed one at a time (to zero where pruned, to the int8 grid
 * where quantized), and each fixed weight's error is pushed onto the not-yet-fixed columns of its
 * row by the Optimal Brain Surgeon update (Hassibi & Stork 1993). This is the shared core of
 * SparseGPT (Frantar & Alistarh 2023, arXiv:2301.00774) for pruning and GPTQ (Frantar et al. 2022,
 * arXiv:2210.17323) for rounding; references: https://github.com/IST-DASLab/sparsegpt and /gptq.
 */
import { select } from '../prune/magnitude';
import { addRowsProducts, inverseFactor } from './linalg';
import { LOW_RANK_OBS_RATIO, lowRankBlock, lowRankInverseFactor } from './low-rank-factor';

export interface ReconOptions {
  /** Damping as a fraction of the mean diagonal of H (SparseGPT and GPTQ use 0.01). */
  damp: number;
  /**
   * The input vectors whose Σ x xᵀ is H (M x cols, one per row), when the layer saw few: with at
   * most one per LOW_RANK_OBS_RATIO columns the factor is built from them (low-rank-factor.ts).
   */
  inputs?: { x: Float64Array; m: number };
}

/**
 * What happens to each column. `chooseBatch` may choose masks for a batch's columns jointly, when
 * the batch opens (its columns then hold the weights as updated so far). `target(r, c, v, diag)` is
 * the value weight (r, c) is fixed to, from its current value v (`diag(c)` is U's diagonal); within
 * a step each row is fixed from left to right, so when it is called, row r's columns before c are
 * fixed and its columns up to the step's end hold their current values in the array being solved.
 */
export interface ColumnRule {
  chooseBatch?(c0: number, c1: number, w: Float64Array, diag: (c: number) => number): void;
  target(r: number, c: number, v: number, diag: (c: number) => number): number;
  /** Columns per batch (default 128). */
  batch?: number;
  /**
   * Columns fixed per step within a batch (default: the batch). Within a step each fixed weight's
   * error reaches its row's later columns of the step at once; the columns after the step receive
   * the whole step's errors in one product when it ends (SparseGPT's and GPTQ's "lazy batch"
   * updates): the same arithmetic summed in another order, done by the four-row product kernel.
   * The step's own updates run one row at a time, so that the row stays in cache: the earlier
   * order (each column, then every row) read rows 8 KB apart in a 1,024-wide layer and ran at
   * 2-7 ns per multiply-add against the kernel's 0.3. Short steps leave fewer of them (32 instead
   * of 128: a quarter).
   */
  step?: number;
}

/**
 * U = chol(H⁻¹) as the column loop reads it: a batch's own rows, and the update of what comes
 * after a step. Dense (linalg.ts), or semiseparable for few input vectors (low-rank-factor.ts),
 * where the later batches' columns are brought up to date only when their batch opens.
 */
interface ColumnFactor {
  dead: Uint8Array;
  diag(c: number): number;
  /** Before batch [c0, c1): its columns of `w` made current; returns U[c][j] = arr[at(c) + j] for c ≤ j < c1. */
  open(w: Float64Array, c0: number, c1: number): { arr: Float64Array; at: (c: number) => number };
  /** After step [s0, s1) of batch [c0, c1): its errors (negated, rows x `stride` in `lazy`) reach the later columns. */
  close(w: Float64Array, lazy: Float64Array, stride: number, s0: number, s1: number, c0: number, c1: number): void;
}

function denseFactor(h: Float64Array, rows: number, cols: number, damp: number): ColumnFactor {
  const { u, dead } = inverseFactor(h, cols, damp);
  return {
    dead,
    diag: (c) => u[c * cols + c],
    open: () => ({ arr: u, at: (c) => c * cols }),
    // W[:, s1:] += (−E) U[s0:s1, s1:], four rows at a time (E = the step's errors).
    close: (w, lazy, stride, s0, s1) => {
      if (s1 < cols) addRowsProducts(rows, w, cols, lazy, stride, 0, s1 - s0, u, cols, s0, s1, cols);
    },
  };
}

function lowRankColumns(h: Float64Array, rows: number, cols: number, damp: number, inputs: { x: Float64Array; m: number }): ColumnFactor {
  const f = lowRankInverseFactor(h, inputs.x, inputs.m, cols, damp);
  const { m } = f;
  // −Σ err·p_c over the columns fixed so far, per row (rows x M): column j then owes −acc · v_j.
  const acc = new Float64Array(rows * m);
  let block = new Float64Array(0);
  let width = 0;
  return {
    dead: f.dead,
    diag: (c) => f.diag[c],
    open: (w, c0, c1) => {
      width = c1 - c0;
      if (c0 > 0) addRowsProducts(rows, w, cols, acc, m, 0, m, f.vt, cols, 0, c0, c1);
      if (block.length < width * width) block = new Float64Array(width * width);
      lowRankBlock(f, c0, c1, block);
      return { arr: block, at: (c) => (c - c0) * width - c0 };
    },
    close: (w, lazy, stride, s0, s1, c0, c1) => {
      // The rest of the open batch through its block of U (columns counted from c0), later batches through acc.
      if (s1 < c1) addRowsProducts(rows, w.subarray(c0), cols, lazy, stride, 0, s1 - s0, block, width, s0 - c0, s1 - c0, c1 - c0);
      if (c1 < cols) addRowsProducts(rows, acc, m, lazy, stride, 0, s1 - s0, f.p, m, s0, 0, m);
    },
  };
}

/**
 * Fixes every column of `w` in place by `rule` and compensates on the later columns. Returns the
 * reconstruction error Σ (w - target)² / [U]cc² (the OBS loss, up to a constant factor).
 * Never writes NaN: a singular H throws instead.
 */
export function reconstructColumns(w: Float64Array, rows: number, cols: number, h: Float64Array, opts: ReconOptions, rule: ColumnRule): number {
  const few = opts.inputs && LOW_RANK_OBS_RATIO * opts.inputs.m <= cols ? opts.inputs : undefined;
  const factor = few ? lowRankColumns(h, rows, cols, opts.damp, few) : denseFactor(h, rows, cols, opts.damp);
  const { dead, diag } = factor;
  // A dead input (zero on every calibration image) carries no information: its weights go.
  for (let c = 0; c < cols; c++) if (dead[c]) for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
  let loss = 0;
  const batch = Math.max(1, Math.min(cols, rule.batch ?? 128));
  const step = Math.max(1, Math.min(batch, rule.step ?? batch));
  // The step's errors, negated (rows x step): the update of the columns after the step.
  const lazy = new Float64Array(rows * step);
  const d = new Float64Array(step);
  for (let c0 = 0; c0 < cols; c0 += batch) {
    const c1 = Math.min(cols, c0 + batch);
    const { arr: u, at } = factor.open(w, c0, c1);
    rule.chooseBatch?.(c0, c1, w, diag);
    for (let s0 = c0; s0 < c1; s0 += step) {
      const s1 = Math.min(c1, s0 + step);
      lazy.fill(0);
      for (let c = s0; c < s1; c++) d[c - s0] = diag(c);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const lo = r * step - s0;
        for (let c = s0; c < s1; c++) {
          const v = w[o + c];
          const q = rule.target(r, c, v, diag);
          if (q === v) continue;
          const err = (v - q) / d[c - s0];
          loss += err * err;
          w[o + c] = q;
          lazy[lo + c] = -err;
          const uc = at(c);
          for (let j = c + 1; j < s1; j++) w[o + j] -= err * u[uc + j];
        }
      }
      factor.close(w, lazy, step, s0, s1, c0, c1);
    }
  }
  return loss;
}

/** Columns per update step of unstructured pruning (ColumnRule.step): its mask blocks are chosen at once, then fixed in steps. */
const UPDATE_STEP = 32;

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
  return k > 0 ? select(v.slice(), k - 1) : -Infinity;
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
  const chooseBlock = (c0: number, c1: number, wNow: Float64Array, diag: (c: number) => number): void => {
    const width = c1 - c0;
    const dd = new Float64Array(width);
    for (let j = 0; j < width; j++) dd[j] = diag(c0 + j);
    const scores = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) scores[r * width + j] = saliency(wNow[r * cols + c0 + j], dd[j]);
    const k = Math.floor(scores.length * opts.sparsity);
    const thresh = kthSmallest(scores, k);
    let removed = 0;
    for (let i = 0; i < scores.length && removed < k; i++) {
      if (scores[i] <= thresh) {
        mask[Math.floor(i / width) * cols + c0 + (i % width)] = 0;
        removed++;
      }
    }
  };
  // N:M chooses each row's group when the row reaches it: the group's weights are then current
  // (a batch never splits a group: nmBatch).
  const groupTarget = (r: number, c: number, v: number, diag: (c: number) => number): number => {
    const { n, m, channels } = opts.nm!;
    const ch = c % channels;
    if (ch % m === 0) {
      const size = Math.min(m, channels - ch);
      const keep = Math.ceil((size * n) / m);
      const members = Array.from({ length: size }, (_, j) => c + j);
      const s = (j: number): number => saliency(w[r * cols + j], diag(j));
      members.sort((a, b) => s(a) - s(b) || a - b);
      for (let j = 0; j < size - keep; j++) mask[r * cols + members[j]] = 0;
    }
    return mask[r * cols + c] ? v : 0;
  };
  const keepMasked = (r: number, c: number, v: number): number => (mask[r * cols + c] ? v : 0);
  const rule: ColumnRule = opts.nm ? { target: groupTarget, batch: nmBatch(opts.nm.channels, opts.nm.m) } : { chooseBatch: chooseBlock, target: keepMasked, batch: opts.blockSize, step: UPDATE_STEP };
  reconstructColumns(w, rows, cols, h, opts, rule);
  return mask;
}
