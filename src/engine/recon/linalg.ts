/**
 * The little dense linear algebra layer-wise reconstruction needs: a damped Hessian's inverse and
 * the upper Cholesky factor of that inverse. Hand-written in Float64 because tfjs has neither a
 * Cholesky nor a linear solve, and float32 loses the small pivots these factorizations depend on.
 * The hot loops work on four rows at a time and name each value in its own variable: array
 * destructuring there (`const [a, b] = [x, y]`) is not always optimized away, and allocating in
 * the inner loop made these products 1.6x slower.
 */

/**
 * Columns of a layer's H factored at once; wider layers are solved in diagonal blocks of whole
 * kernel positions (blocks.ts), and the fit through the input vectors, which needs the whole H,
 * is not used for them (layer-problem.ts). A 4,608-wide factorization took minutes here.
 */
export const MAX_BLOCK_COLS = 2048;

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

/**
 * Columns per block of the blocked factorizations below. Unblocked, they were dot products at
 * about 0.8-1.2 ns per multiply-add; in blocks most of the work is a panel times a block in the
 * four-row product kernel (addRowProducts), as LAPACK's blocked routines do. inverseFactor, old
 * against new in one process (2026-12-07): 1,024 columns 190-280 → 130-185 ms, 2,048 columns
 * 1.7-1.9 → 1.2-1.3 s (32 and 128 columns per block were no better).
 */
export const FACTOR_BLOCK = 64;

/**
 * Lower Cholesky of the nb x nb block of `a` (row stride `n`) at (o, o), in place, reading only
 * its own columns: what the blocks before it contribute has already been subtracted. False if it
 * is not positive definite.
 */
function choleskyBlock(a: Float64Array, n: number, o: number, nb: number): boolean {
  for (let j = o; j < o + nb; j++) {
    const rj = j * n;
    const d = a[rj + j] - dot(a, rj + o, a, rj + o, j - o);
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[rj + j] = l;
    // Column j below the diagonal: four rows at a time share each read of row j (1.5x faster at 576).
    let i = j + 1;
    for (; i + 3 < o + nb; i += 4) {
      const r0 = i * n;
      const r1 = (i + 1) * n;
      const r2 = (i + 2) * n;
      const r3 = (i + 3) * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = o; k < j; k++) {
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
    for (; i < o + nb; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dot(a, ri + o, a, rj + o, j - o)) / l;
    }
  }
  return true;
}

/** Work arrays kept between calls (the exact refit factors one small matrix per output row). */
const scratchArrays: Float64Array[] = [];
function scratch(slot: number, length: number): Float64Array {
  if ((scratchArrays[slot]?.length ?? -1) < length) scratchArrays[slot] = new Float64Array(length);
  return scratchArrays[slot];
}

/**
 * In-place lower Cholesky (A = L Lᵀ) of a symmetric positive definite n x n matrix, reading its
 * lower triangle and zeroing the upper; false if it is not SPD. Right-looking in blocks of
 * FACTOR_BLOCK columns: factor the diagonal block, solve the panel below it, subtract the panel's
 * product with itself from the rest (most of the work, in the product kernel).
 */
export function choleskyLower(a: Float64Array, n: number): boolean {
  const nb0 = FACTOR_BLOCK;
  // The panel below the block, negated (rows x nb), and transposed (nb x n), for the product kernel.
  const panel = scratch(0, Math.max(0, n - nb0) * nb0);
  const panelT = scratch(1, nb0 * n);
  for (let k0 = 0; k0 < n; k0 += nb0) {
    const nb = Math.min(nb0, n - k0);
    const k1 = k0 + nb;
    if (!choleskyBlock(a, n, k0, nb)) return false;
    if (k1 === n) break;
    // L[i][j] = (A[i][j] − Σ_{k0 ≤ k < j} L[i][k] L[j][k]) / L[j][j] for the rows below the block.
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      for (let j = k0; j < k1; j++) {
        const rj = j * n;
        a[ri + j] = (a[ri + j] - dot(a, ri + k0, a, rj + k0, j - k0)) / a[rj + j];
      }
    }
    const rows = n - k1;
    for (let i = 0; i < rows; i++) {
      const ri = (k1 + i) * n + k0;
      for (let k = 0; k < nb; k++) {
        const v = a[ri + k];
        panel[i * nb + k] = -v;
        panelT[k * n + k1 + i] = v;
      }
    }
    // A[i][j] −= Σ_k L[i][k] L[j][k] for k1 ≤ j ≤ i, four rows at a time (a few values above the
    // diagonal of each group of four change too; the upper triangle is never read and zeroed last).
    let i = 0;
    for (; i + FIT_ROWS <= rows; i += FIT_ROWS) addRowProducts(a.subarray((k1 + i) * n), n, panel, nb, i * nb, nb, panelT, n, 0, k1, k1 + i + FIT_ROWS);
    for (; i < rows; i++) {
      const ri = (k1 + i) * n;
      for (let j = k1; j <= k1 + i; j++) a[ri + j] -= dot(a, ri + k0, a, j * n + k0, nb);
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return true;
}

/**
 * The inverse Y of a lower triangular L, row-major. Y = L⁻¹ is solved a block of FACTOR_BLOCK rows at a time, in order: each
 * block's rows from what the rows before it contribute (kept in Y's not yet solved rows, which
 * serve as accumulators) and its own diagonal block; then the block's contribution to every later
 * row in one product (most of the work, in the product kernel).
 */
function lowerInverse(l: Float64Array, n: number): Float64Array {
  const nb0 = FACTOR_BLOCK;
  // y[i*n+c]: Σ_{k before i's block} L[i][k] Y[k][c] until row i is solved, then Y[i][c].
  const y = new Float64Array(n * n);
  const neg = new Float64Array(nb0 * FIT_ROWS);
  for (let i0 = 0; i0 < n; i0 += nb0) {
    const i1 = Math.min(n, i0 + nb0);
    for (let i = i0; i < i1; i++) {
      const ri = i * n;
      // Y[i][c] = ((i = c) − acc − Σ_{i0 ≤ k < i} L[i][k] Y[k][c]) / L[i][i], for c ≤ i (Y[k][c] = 0 for c > k).
      for (let k = i0; k < i; k++) {
        const x = l[ri + k];
        const rk = k * n;
        for (let c = 0; c <= k; c++) y[ri + c] += x * y[rk + c];
      }
      const d = l[ri + i];
      for (let c = 0; c <= i; c++) y[ri + c] = ((i === c ? 1 : 0) - y[ri + c]) / d;
    }
    if (i1 === n) break;
    // Later rows i: acc[i][c] += Σ_{i0 ≤ k < i1} L[i][k] Y[k][c] for c < i1.
    const nb = i1 - i0;
    let i = i1;
    for (; i + FIT_ROWS <= n; i += FIT_ROWS) {
      for (let q = 0; q < FIT_ROWS; q++) for (let k = 0; k < nb; k++) neg[q * nb + k] = l[(i + q) * n + i0 + k];
      addRowProducts(y.subarray(i * n), n, neg, nb, 0, nb, y, n, i0, 0, i1);
    }
    for (; i < n; i++) {
      const ri = i * n;
      for (let k = i0; k < i1; k++) {
        const x = l[ri + k];
        const rk = k * n;
        for (let c = 0; c <= k; c++) y[ri + c] += x * y[rk + c];
      }
    }
  }
  return y;
}

/** H⁻¹ of an SPD matrix through its Cholesky factor (H⁻¹ = L⁻ᵀ L⁻¹). */
export function spdInverse(h: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(h);
  if (!choleskyLower(l, n)) throw new Error('reconstruction: the layer Hessian is singular even after damping');
  const y = lowerInverse(l, n);
  // (H⁻¹)[i][j] = Σ_k Y[k][i] Y[k][j] over k ≥ i (Y = L⁻¹ is zero above its diagonal): rows of Yᵀ
  // times Y, four rows at a time in the product kernel.
  const yt = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i <= k; i++) yt[i * n + k] = y[k * n + i];
  const inv = new Float64Array(n * n);
  let i = 0;
  for (; i + FIT_ROWS <= n; i += FIT_ROWS) addRowProducts(inv.subarray(i * n), n, yt.subarray(i * n), n, i, n - i, y, n, i, 0, n);
  for (; i < n; i++) for (let j = 0; j < n; j++) inv[i * n + j] = dot(yt, i * n + i, yt, j * n + i, n - i);
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
  const mi = lowerInverse(a, n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = mi[(n - 1 - i) * n + (n - 1 - j)];
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

/**
 * addRowProducts over `rows` rows of `out` (row i of `a` starts at i·aS + k0), four at a time,
 * the remaining rows one at a time.
 */
export function addRowsProducts(rows: number, out: Float64Array, oS: number, a: Float64Array, aS: number, k0: number, K: number, b: Float64Array, bS: number, b0: number, j0: number, j1: number): void {
  let r = 0;
  for (; r + FIT_ROWS <= rows; r += FIT_ROWS) addRowProducts(out.subarray(r * oS), oS, a, aS, r * aS + k0, K, b, bS, b0, j0, j1);
  for (; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const e = a[r * aS + k0 + k];
      if (e === 0) continue;
      const bk = (b0 + k) * bS;
      const o = r * oS;
      for (let j = j0; j < j1; j++) out[o + j] += e * b[bk + j];
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
