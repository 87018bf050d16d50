/**
 * The little dense linear algebra layer-wise reconstruction needs: a damped Hessian's inverse and
 * the upper Cholesky factor of that inverse. Hand-written in Float64 because tfjs has neither a
 * Cholesky nor a linear solve, and float32 loses the small pivots these factorizations depend on.
 */

/** In-place lower Cholesky (A = L Lᵀ) of a symmetric positive definite n x n matrix; false if it is not SPD. */
export function choleskyLower(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / l;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/** H⁻¹ of an SPD matrix through its Cholesky factor (H⁻¹ = L⁻ᵀ L⁻¹). */
export function spdInverse(h: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(h);
  if (!choleskyLower(l, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
  // Row-major Lᵀ⁻¹ columns are built as rows of li (li[c*n+i] = (L⁻¹)[i][c]) so the inner loops read memory in order.
  const li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const rc = c * n;
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      const ri = i * n;
      for (let k = c; k < i; k++) s -= l[ri + k] * li[rc + k];
      li[rc + i] = s / l[ri + i];
    }
  }
  // (H⁻¹)[i][j] = Σ_k (L⁻¹)[k][i] (L⁻¹)[k][j] = Σ_k li[i*n+k] li[j*n+k], k ≥ max(i, j).
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      const ri = i * n;
      const rj = j * n;
      for (let k = i; k < n; k++) s += li[ri + k] * li[rj + k];
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
  const inv = spdInverse(h, n);
  // H⁻¹ = L Lᵀ with L lower, so U = Lᵀ; store U row-major.
  if (!choleskyLower(inv, n)) throw new Error('reconstruction: H⁻¹ is not positive definite');
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = inv[j * n + i];
  return { u, dead };
}
