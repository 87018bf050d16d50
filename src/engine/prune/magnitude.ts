/**
 * Magnitude pruning masks (Han et al. 2015, arXiv:1506.02626). A mask is a Uint8Array with 1 for
 * kept weights and 0 for pruned ones, in the weight tensor's own element order. Sparsity is a
 * fraction 0-1 everywhere.
 *
 * Count semantics: exactly round(sparsity * n) weights are pruned, the smallest |w| first, ties
 * broken by position (earlier first). This matches torch.nn.utils.prune.l1_unstructured (which
 * prunes an exact count) rather than tfmot's threshold compare, which can keep extra tied values.
 */

export function prunedCount(n: number, sparsity: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`sparsity must be in [0, 1], got ${sparsity}`);
  return Math.round(sparsity * n);
}

/**
 * The k-th smallest value of `a` (k from 0), rearranging `a`: Hoare's selection with a
 * median-of-three pivot, expected O(n). Equal values stop both scans, so a tensor full of zeros
 * (a model pruned before) still splits evenly.
 */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const x = a[lo];
    const y = a[(lo + hi) >>> 1];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * The mask that prunes the k smallest of `abs`, ties broken by position (earlier first): the first
 * k of `abs` ordered by (value, index). Found from the k-th smallest value t (a selection on a copy,
 * instead of sorting indices with a comparator, which took seconds for MobileNetV1 1.0's 3.2 M
 * weights), then every value below t and the earliest values equal to t.
 */
function pruneSmallest(abs: Float64Array, k: number): Uint8Array {
  const mask = new Uint8Array(abs.length).fill(1);
  if (k <= 0) return mask;
  if (k >= abs.length) return mask.fill(0);
  const t = select(abs.slice(), k - 1);
  let left = k;
  for (let i = 0; i < abs.length; i++) {
    if (abs[i] < t) {
      mask[i] = 0;
      left--;
    }
  }
  for (let i = 0; i < abs.length && left > 0; i++) {
    if (abs[i] === t) {
      mask[i] = 0;
      left--;
    }
  }
  return mask;
}

/** Per-layer unstructured magnitude pruning: the mask that prunes `sparsity` of `w`. */
export function magnitudeMask(w: ArrayLike<number>, sparsity: number): Uint8Array {
  // A loop, not Float64Array.from(w, Math.abs): the mapping form is about 100x slower.
  const abs = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) abs[i] = Math.abs(w[i]);
  return pruneSmallest(abs, prunedCount(w.length, sparsity));
}

/**
 * Global magnitude pruning: one ranking of |w| across all given layers, so layers with many small
 * weights lose more of them. Returns one mask per layer.
 */
export function globalMagnitudeMasks(layers: ArrayLike<number>[], sparsity: number): Uint8Array[] {
  const total = layers.reduce((a, l) => a + l.length, 0);
  const abs = new Float64Array(total);
  let at = 0;
  for (const l of layers) {
    for (let i = 0; i < l.length; i++) abs[at + i] = Math.abs(l[i]);
    at += l.length;
  }
  const flat = pruneSmallest(abs, prunedCount(total, sparsity));
  const masks: Uint8Array[] = [];
  at = 0;
  for (const l of layers) {
    masks.push(flat.slice(at, at + l.length));
    at += l.length;
  }
  return masks;
}

/**
 * N:M semi-structured sparsity (e.g. 2:4, as sparse tensor cores use; Mishra et al. 2021,
 * arXiv:2104.08378): in every group of M consecutive weights along the kernel's input-channel
 * axis (axis -2 of a Keras kernel: cin of [kh,kw,cin,cout], in of [in,out]), keep the N largest.
 * A trailing group shorter than M (cin not a multiple of M) keeps the same fraction, rounded up.
 */
export function nmMask(w: ArrayLike<number>, shape: number[], n: number, m: number): Uint8Array {
  if (!(n >= 0 && n <= m && m >= 1)) throw new RangeError(`N:M needs 0 <= N <= M, got ${n}:${m}`);
  if (shape.length < 2) throw new RangeError(`N:M pruning needs a kernel of rank >= 2, got shape [${shape.join(',')}]`);
  const cout = shape[shape.length - 1];
  const cin = shape[shape.length - 2];
  const outer = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const mask = new Uint8Array(w.length).fill(1);
  for (let o = 0; o < outer; o++) {
    for (let co = 0; co < cout; co++) {
      for (let g = 0; g < cin; g += m) {
        const size = Math.min(m, cin - g);
        const keep = Math.ceil((size * n) / m);
        const members = Array.from({ length: size }, (_, j) => (o * cin + g + j) * cout + co);
        members.sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
        for (let j = 0; j < size - keep; j++) mask[members[j]] = 0;
      }
    }
  }
  return mask;
}

export function sparsityOf(mask: Uint8Array): number {
  let zeros = 0;
  for (const v of mask) zeros += v === 0 ? 1 : 0;
  return mask.length === 0 ? 0 : zeros / mask.length;
}
