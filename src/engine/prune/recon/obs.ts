/**
 * Layer-wise reconstruction pruning (SparseGPT, Frantar & Alistarh 2023): weights W (rows = outputs,
 * cols = inputs) and the input Hessian H = X Xᵀ; prune by OBS saliency w²/[H⁻¹]ᵢᵢ in column blocks
 * and push each removed weight's error onto the not-yet-processed columns of its row.
 * Hand-written Float64 linear algebra because tfjs has no Cholesky or linear solve.
 */

/** In-place lower Cholesky of a symmetric positive definite n x n matrix; false if not SPD. */
function choleskyLower(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** H⁻¹ of an SPD matrix via its Cholesky factor (L⁻¹ then L⁻ᵀL⁻¹). */
function spdInverse(h: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(h);
  if (!choleskyLower(l, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * n + k] * li[k * n + c];
      li[i * n + c] = s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

export interface ObsPruneOptions {
  /** Fraction of this layer's weights to remove. */
  sparsity: number;
  /** Damping as a fraction of the mean diagonal of H (SparseGPT uses 0.01). */
  damp: number;
  /** Columns per block over which the mask is chosen jointly. */
  blockSize: number;
}

/**
 * Prunes `w` (rows x cols, row-major) in place against Hessian `h` (cols x cols). Returns the mask
 * (1 = kept). Never writes NaN: a singular H throws instead.
 */
export function obsPrune(w: Float64Array, rows: number, cols: number, hIn: Float64Array, opts: ObsPruneOptions): Uint8Array {
  const h = Float64Array.from(hIn);
  let meanDiag = 0;
  for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i];
  meanDiag /= cols;
  for (let i = 0; i < cols; i++) {
    // A dead input (never non-zero on the calibration set) carries no information: drop its weights.
    if (h[i * cols + i] === 0) {
      h[i * cols + i] = 1;
      for (let r = 0; r < rows; r++) w[r * cols + i] = 0;
    }
    h[i * cols + i] += opts.damp * meanDiag;
  }
  // Upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU): row i of U holds the sequential OBS updates.
  const u = spdInverse(h, cols);
  if (!choleskyLower(u, cols)) throw new Error('reconstruction: H⁻¹ is not positive definite');
  const uAt = (i: number, j: number): number => u[j * cols + i];
  const mask = new Uint8Array(rows * cols).fill(1);
  for (let b0 = 0; b0 < cols; b0 += opts.blockSize) {
    const b1 = Math.min(cols, b0 + opts.blockSize);
    const scores: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = b0; c < b1; c++) {
        const d = uAt(c, c);
        scores.push((w[r * cols + c] * w[r * cols + c]) / (d * d));
      }
    }
    const k = Math.floor(scores.length * opts.sparsity);
    const thresh = k > 0 ? [...scores].sort((a, b) => a - b)[k - 1] : -Infinity;
    let pruned = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = b0; c < b1; c++) {
        const idx = r * cols + c;
        if (pruned < k && scores[(r * (b1 - b0)) + (c - b0)] <= thresh) {
          mask[idx] = 0;
          pruned++;
        }
      }
    }
    for (let c = b0; c < b1; c++) {
      const d = uAt(c, c);
      for (let r = 0; r < rows; r++) {
        const idx = r * cols + c;
        if (mask[idx]) continue;
        const err = w[idx] / d;
        w[idx] = 0;
        for (let j = c + 1; j < cols; j++) w[r * cols + j] -= err * uAt(c, j);
      }
    }
  }
  return mask;
}
