/**
 * Non-zero values in an array of weights. Without a branch: pruned weights are zero in no
 * predictable order, and `if (v[i] !== 0) n++` then mispredicts about every other value (3.2 M
 * weights of MobileNetV1 1.0 at 50%: 20 ms against 3 ms here, counted four times per preview).
 * -0 counts as zero, NaN as non-zero.
 */
export function countNonZeros(v: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < v.length; i++) zeros += +(v[i] === 0);
  return v.length - zeros;
}
