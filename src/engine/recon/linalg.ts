/**
 * The little dense linear algebra layer-wise reconstruction needs: a damped Hessian's inverse and
 * the upper Cholesky factor of that inverse. Hand-written in Float64 because tfjs has neither a
 * Cholesky nor a linear solve, and float32 loses the small pivots these factorizations depend on.
 * The hot loops work on four rows at a time and name each value in its own variable: array
 * destructuring there (`const [a, b] = [x, y]`) is not always optimized away, and allocating in
 * the inner loop made these products 1.6x slower.
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
    // Column j below the diagonal: four rows at a time share each read of row j (1.5x faster at 576).
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = (i + 1) * n;
      const r2 = (i + 2) * n;
      const r3 = (i + 3) * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < j; k++) {
        const x = a[rj + k];
        s0 += a[r0 + k] * x;
        s1 += a[r1 + k] * x;
        s2 += a[r2 + k] * x;
        s3 += a[r3 + k] * x;
      }
      a[r0 + j] = (a[r0 + j] - s0) / l;
      a[r1 + j] = (a[r1 + j] - s1) / l;
      a[r2 + j] = (a[r2 + j] - s2) / l;
      a[r3 + j] = (a[r3 + j] - s3) / l;
    }
    for (; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) / l;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/**
 * The inverse of a lower triangular L, column by column: li[c*n+i] = (L⁻¹)[i][c] (columns built
 * as rows, so the inner loops read memory in order). Four columns at a time: each read of L's row
 * i serves all four.
 */
function lowerInverseColumns(l: Float64Array, n: number): Float64Array {
  const li = new Float64Array(n * n);
  let c = 0;
  for (; c + 3 < n; c += 4) {
    const q0 = c * n;
    const q1 = (c + 1) * n;
    const q2 = (c + 2) * n;
    const q3 = (c + 3) * n;
    // The triangle where the four columns start (rows c..c+3), one at a time.
    for (let i = c; i < c + 4; i++) {
      const ri = i * n;
      for (let cc = c; cc <= i; cc++) {
        const rc = cc * n;
        li[rc + i] = ((i === cc ? 1 : 0) - dot(l, ri + cc, li, rc + cc, i - cc)) / l[ri + i];
      }
    }
    for (let i = c + 4; i < n; i++) {
      const ri = i * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      // Σ_k L[i][k] L⁻¹[k][cc] over k from cc to i-1; below c+3 only some of the columns have terms.
      for (let k = c; k < i; k++) {
        const x = l[ri + k];
        s0 += x * li[q0 + k];
        s1 += x * li[q1 + k];
        s2 += x * li[q2 + k];
        s3 += x * li[q3 + k];
      }
      const d = l[ri + i];
      li[q0 + i] = -s0 / d;
      li[q1 + i] = -s1 / d;
      li[q2 + i] = -s2 / d;
      li[q3 + i] = -s3 / d;
    }
  }
  for (; c < n; c++) {
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
  /** Uᵀ, made when first needed (applyInverseRows). */
  ut?: Float64Array;
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

/** Rows fitted at once (recon/blocks.ts fitRows) and multiplied at once by applyInverseRows. */
export const FIT_ROWS = 4;

/**
 * out[q][j] += Σ_{k<K} a[q][k0 + k] · b[b0 + k][j] for the FIT_ROWS rows q and j0 ≤ j < j1 (rows
 * of `out`, `a` and `b` at strides oS, aS and bS). Four k at a time: each pass over a row of `out`
 * then does 16 multiply-adds per 4 values of `b` read and one row value written, where one k at a
 * time writes it for every 4 (0.28 against 0.62 ns per multiply-add on a 1,024-wide product, and
 * 1.2 ns one row at a time).
 */
export function addRowProducts(out: Float64Array, oS: number, a: Float64Array, aS: number, k0: number, K: number, b: Float64Array, bS: number, b0: number, j0: number, j1: number): void {
  const o1 = oS;
  const o2 = 2 * oS;
  const o3 = 3 * oS;
  let k = 0;
  for (; k + 3 < K; k += 4) {
    const x0 = (b0 + k) * bS;
    const x1 = (b0 + k + 1) * bS;
    const x2 = (b0 + k + 2) * bS;
    const x3 = (b0 + k + 3) * bS;
    const ak = k0 + k;
    const p0 = a[ak];
    const p1 = a[ak + 1];
    const p2 = a[ak + 2];
    const p3 = a[ak + 3];
    const q0 = a[aS + ak];
    const q1 = a[aS + ak + 1];
    const q2 = a[aS + ak + 2];
    const q3 = a[aS + ak + 3];
    const r0 = a[2 * aS + ak];
    const r1 = a[2 * aS + ak + 1];
    const r2 = a[2 * aS + ak + 2];
    const r3 = a[2 * aS + ak + 3];
    const s0 = a[3 * aS + ak];
    const s1 = a[3 * aS + ak + 1];
    const s2 = a[3 * aS + ak + 2];
    const s3 = a[3 * aS + ak + 3];
    for (let j = j0; j < j1; j++) {
      const y0 = b[x0 + j];
      const y1 = b[x1 + j];
      const y2 = b[x2 + j];
      const y3 = b[x3 + j];
      out[j] += p0 * y0 + p1 * y1 + (p2 * y2 + p3 * y3);
      out[o1 + j] += q0 * y0 + q1 * y1 + (q2 * y2 + q3 * y3);
      out[o2 + j] += r0 * y0 + r1 * y1 + (r2 * y2 + r3 * y3);
      out[o3 + j] += s0 * y0 + s1 * y1 + (s2 * y2 + s3 * y3);
    }
  }
  for (; k < K; k++) {
    const x = (b0 + k) * bS;
    const ak = k0 + k;
    const p = a[ak];
    const q = a[aS + ak];
    const r = a[2 * aS + ak];
    const t = a[3 * aS + ak];
    for (let j = j0; j < j1; j++) {
      const y = b[x + j];
      out[j] += p * y;
      out[o1 + j] += q * y;
      out[o2 + j] += r * y;
      out[o3 + j] += t * y;
    }
  }
}

/** Uᵀ, kept with the factor: applyInverseRows reads it by rows. */
function transposed(f: InverseFactor, n: number): Float64Array {
  if (f.ut) return f.ut;
  const ut = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) ut[j * n + i] = f.u[i * n + j];
  f.ut = ut;
  return ut;
}

/** t (H + λI)⁻¹ for a row vector t, from the factor (H⁻¹ = UᵀU): (t Uᵀ) U, into `out`. */
export function applyInverse(f: InverseFactor, n: number, t: Float64Array, out: Float64Array): void {
  applyInverseRows(f, n, t, out, 1);
}

/**
 * applyInverse for `count` rows (at most FIT_ROWS) one after another in `t`, into `out`: the rows
 * go through U together, so each value of U is read once for all of them.
 */
export function applyInverseRows(f: InverseFactor, n: number, t: Float64Array, out: Float64Array, count: number): void {
  const { u } = f;
  if (count === FIT_ROWS) {
    const v = new Float64Array(FIT_ROWS * n);
    // v_j = Σ_{i ≥ j} t_i U_ji: the rows of Uᵀ weighted by t, four i at a time (Uᵀ is zero above
    // its diagonal, so row i reaches column i only).
    const ut = transposed(f, n);
    for (let i = 0; i < n; i += 4) addRowProducts(v, n, t, n, i, Math.min(4, n - i), ut, n, i, 0, Math.min(n, i + 4));
    // out_j = Σ_{i ≤ j} v_i U_ij, four i at a time from column i on (U is zero below its diagonal).
    out.fill(0, 0, FIT_ROWS * n);
    for (let i = 0; i < n; i += 4) addRowProducts(out, n, v, n, i, Math.min(4, n - i), u, n, i, i, n);
    return;
  }
  const v = new Float64Array(n);
  for (let q = 0; q < count; q++) {
    const o = q * n;
    for (let j = 0; j < n; j++) v[j] = dot(t, o + j, u, j * n + j, n - j);
    out.fill(0, o, o + n);
    for (let i = 0; i < n; i++) {
      const vi = v[i];
      const ri = i * n;
      for (let j = i; j < n; j++) out[o + j] += vi * u[ri + j];
    }
  }
}
