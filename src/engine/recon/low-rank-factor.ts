/**
 * The OBS factor of a layer that saw few input vectors. With M vectors (the columns of X, cols x M)
 * and the damping Λ (λ on the diagonal, 1 + λ for a dead input, as linalg.ts factorize has it),
 * H = Λ + XXᵀ and, by Woodbury, H⁻¹ = D + V S Vᵀ with D = Λ⁻¹, V = Λ⁻¹X and S = −(I + XᵀΛ⁻¹X)⁻¹.
 * Cholesky of a diagonal plus rank M keeps that shape in every Schur complement, so the factor
 * H⁻¹ = UᵀU is semiseparable: U[c][j] = p_c · v_j for j > c, with p_c an M-vector per column.
 * It costs cols·M² to compute where the dense factor costs cols³, and the updates of the columns
 * after a batch cost rows·cols·M in all (obs.ts) where they cost rows·cols²/2. A live preview's 12
 * images give MobileNetV1's 1,024-wide layer 48 vectors; its dense factor and updates were half a
 * second of each preview.
 */
import { dot, spdInverse } from './linalg';

/** Use the low-rank factor for at most one input vector per this many columns (below, the dense factor is cheaper). */
export const LOW_RANK_OBS_RATIO = 4;

export interface LowRankFactor {
  m: number;
  /** U[c][c]. */
  diag: Float64Array;
  /** p_c (cols x M, row-major). */
  p: Float64Array;
  /** v_j (cols x M) and Vᵀ (M x cols), read by rows in the product kernel. */
  v: Float64Array;
  vt: Float64Array;
  /** Inputs that were zero on every calibration image (their weights are removed). */
  dead: Uint8Array;
}

/**
 * The factor of (H + damping)⁻¹ from the input vectors `x` (M x cols, one vector per row) whose
 * Σ x xᵀ is `h`; `h` gives the damping's mean diagonal and the dead inputs, exactly as the dense
 * factorization reads them. Throws, as it does, when a pivot is not positive.
 */
export function lowRankInverseFactor(h: Float64Array, x: Float64Array, m: number, n: number, damp: number): LowRankFactor {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += h[i * n + i];
  meanDiag = meanDiag / n || 1;
  const dead = new Uint8Array(n);
  const lam = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dead[i] = h[i * n + i] === 0 ? 1 : 0;
    lam[i] = damp * meanDiag + dead[i];
  }
  const vt = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) vt[k * n + i] = x[k * n + i] / lam[i];
  const v = new Float64Array(n * m);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) v[i * m + k] = vt[k * n + i];
  const g = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    for (let l = 0; l <= k; l++) g[k * m + l] = g[l * m + k] = dot(x, k * n, vt, l * n, n);
    g[k * m + k] += 1;
  }
  // S = −G⁻¹; each column's elimination then takes a rank-one piece out of it.
  const s = spdInverse(g, m).map((a) => -a);
  const diag = new Float64Array(n);
  const p = new Float64Array(n * m);
  const t = new Float64Array(m);
  for (let c = 0; c < n; c++) {
    const vc = c * m;
    for (let k = 0; k < m; k++) t[k] = dot(s, k * m, v, vc, m);
    const alpha = 1 / lam[c] + dot(v, vc, t, 0, m);
    if (!(alpha > 0)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
    const d = Math.sqrt(alpha);
    diag[c] = d;
    for (let k = 0; k < m; k++) p[vc + k] = t[k] / d;
    for (let k = 0; k < m; k++) {
      const a = t[k] / alpha;
      const row = k * m;
      for (let l = 0; l < m; l++) s[row + l] -= a * t[l];
    }
  }
  return { m, diag, p, v, vt, dead };
}

/** U[c][j] for c0 ≤ c ≤ j < c1, into `out` (width x width, row-major, zero below the diagonal). */
export function lowRankBlock(f: LowRankFactor, c0: number, c1: number, out: Float64Array): void {
  const width = c1 - c0;
  const { m, p, v } = f;
  out.fill(0, 0, width * width);
  for (let a = 0; a < width; a++) {
    const c = c0 + a;
    out[a * width + a] = f.diag[c];
    for (let b = a + 1; b < width; b++) out[a * width + b] = dot(p, c * m, v, (c0 + b) * m, m);
  }
}
