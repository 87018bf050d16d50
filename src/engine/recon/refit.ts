/**
 * The exact least-squares weights for a mask that is already chosen. SparseGPT's column loop
 * (obs.ts) pushes each removed weight's error onto the columns not yet fixed only, so the weights
 * it keeps in earlier columns never see the removals after them: its result is close to, but not,
 * the best the kept weights can do. For a fixed mask each row's best is a small linear solve
 * (Boža 2024, arXiv:2401.02938, makes the same point for language models and solves it by ADMM;
 * a CNN layer's rows are small enough to solve directly). Minimising (w − ŵ) Ĥ (w − ŵ)ᵀ with w
 * zero on the removed set P (Ĥ = H + λI, ŵ the weights before pruning, S the kept set) gives
 *   w_S = (ŵ Ĥ)_S (Ĥ_SS)⁻¹                    (a |S| x |S| solve), or equally
 *   w = ŵ − z G_P,:,  z = ŵ_P (G_PP)⁻¹, G = Ĥ⁻¹  (a |P| x |P| solve: the multi-weight OBS update),
 * and each row takes the smaller of the two.
 */
import { addRowProducts, choleskyLower, dot, FIT_ROWS, inverseFactor } from './linalg';

/**
 * The most multiply-adds one layer's refit may take: about half a second of the float64 loops. A layer
 * that would cost more is left with SparseGPT's update (which is exact when nothing is removed).
 */
export const REFIT_MAX_MACS = 1.5e9;

/** Per row, which solve it takes and what it costs (rows x cols, mask 1 = kept, dead inputs count as removed). */
function plan(mask: Uint8Array, rows: number, cols: number, dead: Uint8Array): { kept: Int32Array; macs: number; needsInverse: boolean } {
  const kept = new Int32Array(rows);
  let macs = 0;
  let needsInverse = false;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += mask[r * cols + c] && !dead[c] ? 1 : 0;
    kept[r] = s;
    const p = cols - s;
    const viaKept = s ** 3 / 3 + s * cols;
    const viaRemoved = p ** 3 / 3 + p * cols;
    macs += Math.min(viaKept, viaRemoved);
    if (viaRemoved < viaKept) needsInverse = true;
  }
  if (needsInverse) macs += cols ** 3 / 3;
  return { kept, macs, needsInverse };
}

/** The multiply-adds refitRows would take for this mask. */
export function refitCost(mask: Uint8Array, rows: number, cols: number, h: Float64Array): number {
  return plan(mask, rows, cols, deadInputs(h, cols)).macs;
}

function deadInputs(h: Float64Array, cols: number): Uint8Array {
  const dead = new Uint8Array(cols);
  for (let i = 0; i < cols; i++) dead[i] = h[i * cols + i] === 0 ? 1 : 0;
  return dead;
}

/** Solves L Lᵀ x = b in place (L in the lower triangle of `l`, n x n). */
function cholSolve(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = (x[i] - dot(l, i * n, x, 0, i)) / l[i * n + i];
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i];
    for (let k = i + 1; k < n; k++) t -= l[k * n + i] * x[k];
    x[i] = t / l[i * n + i];
  }
}

/**
 * Replaces the kept weights of `w` (rows x cols, pruned by `mask`, 1 = kept) by the exact
 * minimiser of (w − ŵ)(H + λI)(w − ŵ)ᵀ on each row, where `wFit` is ŵ (the weights the pruning
 * started from) and λ is `damp` times H's mean diagonal, as in the pruning's own factorization
 * (linalg.ts: a dead input, zero in H, gets a unit diagonal first, and its weight stays zero).
 * Returns false, leaving `w` as it was, when the refit would cost more than `maxMacs`.
 */
export function refitRows(w: Float64Array, wFit: Float64Array, rows: number, cols: number, h: Float64Array, mask: Uint8Array, damp: number, maxMacs = REFIT_MAX_MACS): boolean {
  const dead = deadInputs(h, cols);
  const { kept, macs, needsInverse } = plan(mask, rows, cols, dead);
  if (macs > maxMacs) return false;
  let meanDiag = 0;
  for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i];
  const lambda = damp * (meanDiag / cols || 1);
  // G = Ĥ⁻¹ = UᵀU from the factor the pruning itself used (linalg.ts keeps it per H).
  let g: Float64Array | undefined;
  if (needsInverse) {
    const { u } = inverseFactor(h, cols, damp);
    g = new Float64Array(cols * cols);
    // G[i][j] = Σ_{k ≤ min(i,j)} U[k][i] U[k][j]: rows of Uᵀ times U, the lower triangle four rows
    // at a time in the product kernel, then mirrored.
    const ut = new Float64Array(cols * cols);
    for (let k = 0; k < cols; k++) for (let i = k; i < cols; i++) ut[i * cols + k] = u[k * cols + i];
    let i = 0;
    for (; i + FIT_ROWS <= cols; i += FIT_ROWS) addRowProducts(g.subarray(i * cols), cols, ut.subarray(i * cols), cols, 0, i + FIT_ROWS, u, cols, 0, 0, i + FIT_ROWS);
    for (; i < cols; i++) for (let j = 0; j <= i; j++) g[i * cols + j] = dot(ut, i * cols, ut, j * cols, j + 1);
    for (let r = 0; r < cols; r++) for (let c = r + 1; c < cols; c++) g[r * cols + c] = g[c * cols + r];
  }
  const idx = new Int32Array(cols);
  const x = new Float64Array(cols);
  let a = new Float64Array(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const s = kept[r];
    const p = cols - s;
    const viaRemoved = g !== undefined && p ** 3 / 3 + p * cols < s ** 3 / 3 + s * cols;
    const n = viaRemoved ? p : s;
    let k = 0;
    for (let c = 0; c < cols; c++) if ((mask[o + c] === 1 && !dead[c]) !== viaRemoved) idx[k++] = c;
    if (a.length < n * n) a = new Float64Array(n * n);
    if (viaRemoved) {
      // z G_PP = ŵ_P, then w = ŵ − z G_P,: (zero on P up to rounding, set exactly).
      for (let i = 0; i < n; i++) {
        const gi = idx[i] * cols;
        for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = g![gi + idx[j]];
        x[i] = wFit[o + idx[i]];
      }
      if (n > 0 && !choleskyLower(a, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
      cholSolve(a, n, x);
      for (let c = 0; c < cols; c++) w[o + c] = wFit[o + c];
      for (let i = 0; i < n; i++) {
        const z = x[i];
        const gi = idx[i] * cols;
        for (let c = 0; c < cols; c++) w[o + c] -= z * g![gi + c];
      }
      for (let i = 0; i < n; i++) w[o + idx[i]] = 0;
      continue;
    }
    // Ĥ_SS w_S = (ŵ Ĥ)_S. No kept input is dead, and a dead input's row of H is zero, so Ĥ's
    // entries here are H's plus λ on the diagonal.
    for (let i = 0; i < n; i++) {
      const hi = idx[i] * cols;
      for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = h[hi + idx[j]];
      a[i * n + i] = h[hi + idx[i]] + lambda;
      x[i] = dot(wFit, o, h, hi, cols) + lambda * wFit[o + idx[i]];
    }
    if (n > 0 && !choleskyLower(a, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
    cholSolve(a, n, x);
    w.fill(0, o, o + cols);
    for (let i = 0; i < n; i++) w[o + idx[i]] = x[i];
  }
  return true;
}
