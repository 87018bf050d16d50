/**
 * The little dense linear algebra layer-wise reconstruction needs: a damped Hessian's inverse and
 * the upper Cholesky factor of that inverse. Hand-written in Float64 because tfjs has neither a
 * Cholesky nor a linear solve, and float32 loses the small pivots these factorizations depend on.
 */

/**
 * Σ a[ai+k]·b[bi+k] for k < len, in four interleaved sums: a single running sum makes each add wait
 * for the one before, and these dot products are where the factorizations spend their time (a
 * 576-wide factor took 2.5 ns per multiply-add with one sum).
 */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ai + k] * b[bi + k];
    s1 += a[ai + k + 1] * b[bi + k + 1];
    s2 += a[ai + k + 2] * b[bi + k + 2];
    s3 += a[ai + k + 3] * b[bi + k + 3];
  }
  for (; k < len; k++) s0 += a[ai + k] * b[bi + k];
  return s0 + s1 + (s2 + s3);
}

/** In-place lower Cholesky (A = L Lᵀ) of a symmetric positive definite n x n matrix; false if it is not SPD. */
export function choleskyLower(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const d = a[rj + j] - dot(a, rj, a, rj, j);
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) / l;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/**
 * The inverse of a lower triangular L, column by column: li[c*n+i] = (L⁻¹)[i][c] (columns built
 * as rows, so the inner loops read memory in order).
 */
function lowerInverseColumns(l: Float64Array, n: number): Float64Array {
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const rc = c * n;
    for (let i = c; i < n; i++) {
      const ri = i * n;
      li[rc + i] = ((i === c ? 1 : 0) - dot(l, ri + c, li, rc + c, i - c)) / l[ri + i];
    }
  }
  return li;
}

/** H⁻¹ of an SPD matrix through its Cholesky factor (H⁻¹ = L⁻ᵀ L⁻¹). */
export function spdInverse(h: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(h);
  if (!choleskyLower(l, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
  const li = lowerInverseColumns(l, n);
  // (H⁻¹)[i][j] = Σ_k (L⁻¹)[k][i] (L⁻¹)[k][j] = Σ_k li[i*n+k] li[j*n+k], k ≥ max(i, j).
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const s = dot(li, i * n + i, li, j * n + i, n - i);
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

export interface InverseFactor {
  /** Upper factor U of H⁻¹ = UᵀU, row-major: row c, from column c on, is the OBS update of column c once columns < c are fixed. */
  u: Float64Array;
  /** Inputs that were zero on every calibration image: their weights carry nothing and are removed. */
  dead: Uint8Array;
}

/**
 * Damps H (a fraction of its mean diagonal added to the diagonal, as SparseGPT and GPTQ do) and
 * returns the upper Cholesky factor of its inverse. A dead input gets a unit diagonal so H stays
 * invertible.
 */
export function inverseFactor(hIn: Float64Array, n: number, damp: number): InverseFactor {
  // The sensitivity analysis solves each layer at several sparsities against the same H; the
  // factorization is the cubic part, so it is kept per H array (H is never changed once collected).
  const known = factors.get(hIn)?.get(damp);
  if (known && known.n === n) return known.f;
  const f = factorize(hIn, n, damp);
  if (!factors.has(hIn)) factors.set(hIn, new Map());
  factors.get(hIn)!.set(damp, { n, f });
  return f;
}

const factors = new WeakMap<Float64Array, Map<number, { n: number; f: InverseFactor }>>();

function factorize(hIn: Float64Array, n: number, damp: number): InverseFactor {
  const h = Float64Array.from(hIn);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += h[i * n + i];
  meanDiag = meanDiag / n || 1;
  const dead = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (h[i * n + i] === 0) {
      dead[i] = 1;
      h[i * n + i] = 1;
    }
    h[i * n + i] += damp * meanDiag;
  }
  // U without forming H⁻¹: the Cholesky factor M of the reversed matrix J H J (J reverses the
  // order) gives H = R Rᵀ with R = J M J upper, so H⁻¹ = (R⁻¹)ᵀ R⁻¹ and U = R⁻¹ = J M⁻¹ J. One
  // factorization and one triangular inverse: half the work of inverting H and factoring that.
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)];
  if (!choleskyLower(a, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
  const mi = lowerInverseColumns(a, n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = mi[(n - 1 - j) * n + (n - 1 - i)];
  return { u, dead };
}

/** t (H + λI)⁻¹ for a row vector t, from the factor (H⁻¹ = UᵀU): (t Uᵀ) U, into `out`. */
export function applyInverse(f: InverseFactor, n: number, t: Float64Array, out: Float64Array): void {
  const { u } = f;
  const v = new Float64Array(n);
  // v_j = Σ_{i ≥ j} t_i U_ji, then out_j = Σ_{i ≤ j} v_i U_ij.
  for (let j = 0; j < n; j++) v[j] = dot(t, j, u, j * n + j, n - j);
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    const ri = i * n;
    for (let j = i; j < n; j++) out[j] += vi * u[ri + j];
  }
}
