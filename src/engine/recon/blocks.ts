/**
 * Bounded cost for wide layers, shared by every user of the OBS loop (pruning, GPTQ, sensitivity):
 * above MAX_BLOCK_COLS inputs per output (VGG16's 3x3x512 convolutions have 4,608), H is split
 * into diagonal blocks of whole kernel positions and each block is solved on its own. The
 * factorization is cubic in the block size, and a 4,608-wide one takes minutes in JavaScript;
 * compensation then stays within a block.
 */
import { outputChannels } from '../quantize/quantize-graph';
import type { WeightedNode } from '../graph/ir';
import { addRowProducts, addRowsProducts, applyInverseRows, FIT_ROWS, inverseFactor, MAX_BLOCK_COLS, spdInverse } from './linalg';
import { LOW_RANK_RATIO, type DenseCross, type LowRankInputs } from './layer-problem';

/** Columns per diagonal block: whole kernel positions, at most MAX_BLOCK_COLS (all of them when they fit). */
function blockSpan(cols: number, channels: number): number {
  return cols <= MAX_BLOCK_COLS ? cols : Math.max(channels, Math.floor(MAX_BLOCK_COLS / channels) * channels);
}

/**
 * Fits `w` (rows x cols) to the dense model's outputs before it is pruned or rounded: the
 * minimiser of ‖W X_dense − Ŵ X‖² + λ‖Ŵ − W‖² is Ŵ = W (C + λI)(H + λI)⁻¹, with H = X Xᵀ the
 * layer's own inputs in the compressed model and C = X_dense Xᵀ. Since Ŵ X is the projection of
 * W X_dense on what X can express, pruning Ŵ against H then minimises the error to the dense
 * outputs (GPTAQ's asymmetric calibration, Li et al. 2025, arXiv:2504.02692), so the error that
 * the layers before this one left is absorbed here instead of being carried on. The λ term (the
 * usual damping) keeps Ŵ = W when the inputs did not change (C = H) and bounds the fit where the
 * calibration images do not pin every direction. Block-diagonal above MAX_BLOCK_COLS, as pruning.
 */
export function fitToDense(w: Float64Array, rows: number, cols: number, h: Float64Array, cross: DenseCross, channels: number, damp: number, few?: LowRankInputs): void {
  const span = blockSpan(cols, channels);
  // W·C is collected for one block only (layer-problem.ts InputStats `weighted`).
  const wc = cross instanceof Float64Array ? undefined : cross.wc;
  const c = cross instanceof Float64Array ? cross : undefined;
  if (wc && span < cols) throw new Error(`fitToDense: W·C for a layer solved in blocks (${cols} columns)`);
  for (let c0 = 0; c0 < cols; c0 += span) {
    const width = Math.min(span, cols - c0);
    let meanDiag = 0;
    for (let i = 0; i < width; i++) meanDiag += h[(c0 + i) * cols + c0 + i];
    const lambda = damp * (meanDiag / width || 1);
    if (width === cols && few && LOW_RANK_RATIO * few.m <= cols) {
      fitLowRank(w, rows, cols, h, few, lambda);
      continue;
    }
    if (width === cols) {
      // One block: through the factor that pruning or rounding then uses (linalg.ts keeps it).
      const f = inverseFactor(h, cols, damp);
      fitRows(w, rows, cols, 0, cols, wc ? { wc } : c!, cols, lambda, (t, out, count) => applyInverseRows(f, cols, t, out, count));
      continue;
    }
    const cb = c!;
    const a = new Float64Array(width * width);
    const cc = new Float64Array(width * width);
    for (let i = 0; i < width; i++) {
      for (let j = 0; j < width; j++) {
        a[i * width + j] = h[(c0 + i) * cols + c0 + j];
        cc[i * width + j] = cb[(c0 + i) * cols + c0 + j];
      }
      // A dead input (never non-zero here) gets a unit diagonal, as the pruning's own factorization does.
      if (a[i * width + i] === 0) a[i * width + i] = 1;
      a[i * width + i] += lambda;
      cc[i * width + i] += lambda;
    }
    const inv = spdInverse(a, width);
    fitRows(w, rows, cols, c0, width, cc, width, 0, (t, out, count) => {
      for (let q = 0; q < count; q++) {
        for (let j = 0; j < width; j++) {
          let s = 0;
          for (let i = 0; i < width; i++) s += t[q * width + i] * inv[i * width + j];
          out[q * width + j] = s;
        }
      }
    });
  }
}

/**
 * fitToDense from the input vectors themselves, when there are at most half as many as columns
 * (H = XXᵀ then has low rank). With G = XᵀX + λI (M x M), Woodbury's identity turns
 * W (X₀Xᵀ + λI)(XXᵀ + Λ)⁻¹ into W S + W (X₀ − X) G⁻¹ Xᵀ, where Λ is λI plus 1 on a dead input's
 * diagonal (as linalg.ts factorize gives it) and S scales a dead input's weight by λ/(1 + λ): the
 * same fit, in 2·rows·cols·M + rows·M² multiply-adds instead of 2·rows·cols².
 */
function fitLowRank(w: Float64Array, rows: number, cols: number, h: Float64Array, few: LowRankInputs, lambda: number): void {
  const { x, x0, m } = few;
  // Xᵀ and (X₀ − X)ᵀ, cols x M, for the product kernel (which reads its right operand by rows).
  const xt = new Float64Array(cols * m);
  const dt = new Float64Array(cols * m);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < cols; i++) {
      xt[i * m + k] = x[k * cols + i];
      dt[i * m + k] = x0[k * cols + i] - x[k * cols + i];
    }
  }
  // G = XᵀX + λI (M x M) and its inverse, all through the product kernel (per-row triangular
  // solves ran at a quarter of its speed, which is why this path used to lose at M = cols/2).
  const g = new Float64Array(m * m);
  productRows(g, x, xt, m, cols, m);
  for (let k = 0; k < m; k++) g[k * m + k] += lambda;
  const gi = spdInverse(g, m);
  // E = W (X₀ − X) and F = E G⁻¹ (rows x M), then Ŵ = W S + F Xᵀ (`x` holds the vectors as rows).
  const e = new Float64Array(rows * m);
  productRows(e, w, dt, rows, cols, m);
  const f = new Float64Array(rows * m);
  productRows(f, e, gi, rows, m, m);
  const deadScale = lambda / (1 + lambda);
  for (let i = 0; i < cols; i++) if (h[i * cols + i] === 0) for (let r = 0; r < rows; r++) w[r * cols + i] *= deadScale;
  productRows(w, f, x, rows, m, cols, true);
}

/**
 * out = a b, or out += a b with `add` (a: rows x k, b: k x n, out: rows x n, all row-major and
 * contiguous): four rows at a time in the product kernel, the rest alone.
 */
function productRows(out: Float64Array, a: Float64Array, b: Float64Array, rows: number, k: number, n: number, add = false): void {
  if (!add) out.fill(0, 0, rows * n);
  addRowsProducts(rows, out, n, a, k, 0, k, b, n, 0, 0, n);
}

/**
 * ŵ_r = (w_r C + λ w_r) (H + λI)⁻¹ for every row r, on columns c0..c0+width of `w`: `c` holds C
 * for those columns (width x width, row stride `stride`), or W·C itself (rows x width, all the
 * columns); `inverse` multiplies `count` rows (at most FIT_ROWS, one after another in `t`) by
 * (H + λI)⁻¹ into `out`.
 */
function fitRows(w: Float64Array, rows: number, cols: number, c0: number, width: number, c: DenseCross, stride: number, lambda: number, inverse: (t: Float64Array, out: Float64Array, count: number) => void): void {
  const t = new Float64Array(FIT_ROWS * width);
  const out = new Float64Array(FIT_ROWS * width);
  for (let r0 = 0; r0 < rows; r0 += FIT_ROWS) {
    const count = Math.min(FIT_ROWS, rows - r0);
    for (let q = 0; q < count; q++) for (let j = 0; j < width; j++) t[q * width + j] = lambda * w[(r0 + q) * cols + c0 + j];
    if (!(c instanceof Float64Array)) {
      for (let q = 0; q < count; q++) for (let j = 0; j < width; j++) t[q * width + j] += c.wc[(r0 + q) * width + j];
    } else if (count === FIT_ROWS) {
      // t = w_r (C + λI) for FIT_ROWS rows at once, C read along its rows: each value of C is read
      // once for all of them (linalg.ts addRowProducts), where one row at a time read it once per row.
      addRowProducts(t, width, w, cols, r0 * cols + c0, width, c, stride, 0, 0, width);
    } else {
      for (let q = 0; q < count; q++) {
        const base = (r0 + q) * cols + c0;
        for (let i = 0; i < width; i++) {
          const wi = w[base + i];
          const ci = i * stride;
          for (let j = 0; j < width; j++) t[q * width + j] += wi * c[ci + j];
        }
      }
    }
    inverse(t, out, count);
    for (let q = 0; q < count; q++) w.set(out.subarray(q * width, (q + 1) * width), (r0 + q) * cols + c0);
  }
}

/**
 * Solves `w` (rows x cols) block by block: `solve(sub, width, hs, c0)` gets the block's weights
 * (rows x width, updated in place and written back), its H and its first column. Returns the
 * blocks' masks put together, when `solve` returns masks.
 */
export function solveInBlocks(w: Float64Array, rows: number, cols: number, h: Float64Array, channels: number, solve: (sub: Float64Array, width: number, hs: Float64Array, c0: number) => Uint8Array | void): Uint8Array {
  const span = blockSpan(cols, channels);
  const mask = new Uint8Array(w.length).fill(1);
  if (span >= cols) {
    // One block: H as it is (no copy), so its factorization is shared across calls (linalg.ts).
    const m = solve(w, cols, h, 0);
    if (m) mask.set(m);
    return mask;
  }
  for (let c0 = 0; c0 < cols; c0 += span) {
    const width = Math.min(span, cols - c0);
    const sub = new Float64Array(rows * width);
    const hs = new Float64Array(width * width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) sub[r * width + c] = w[r * cols + c0 + c];
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) hs[i * width + j] = h[(c0 + i) * cols + c0 + j];
    const m = solve(sub, width, hs, c0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        w[r * cols + c0 + c] = sub[r * width + c];
        if (m) mask[r * cols + c0 + c] = m[r * width + c];
      }
    }
  }
  return mask;
}

/**
 * Keeps each output's mean where it was after W₀ became W: the bias takes W₀·E[x₀] − W·E[x]
 * (Nagel et al. 2019's bias correction, with the layer's own calibration inputs; x₀ = x unless the
 * layer is fitted to the dense model, whose inputs are then x₀). Row r of group g is output
 * g·rows + r. A layer without a bias gets one.
 */
export function correctBias(n: WeightedNode, g: number, w0: Float64Array, w: Float64Array, mean: Float64Array, rows: number, cols: number, mean0: Float64Array = mean, out0?: Float64Array): void {
  const outputs = outputChannels(n);
  n.bias ??= { shape: [outputs], values: new Float32Array(outputs) };
  for (let r = 0; r < rows; r++) {
    let shift = 0;
    // W₀·E[x₀] as given (`out0`: the outputs' mean on the dense inputs), else from the means.
    if (out0) {
      shift = out0[r];
      for (let c = 0; c < cols; c++) shift -= w[r * cols + c] * mean[c];
    } else for (let c = 0; c < cols; c++) shift += w0[r * cols + c] * mean0[c] - w[r * cols + c] * mean[c];
    n.bias.values[g * rows + r] += shift;
  }
}
