/**
 * Filter-norm importance for structured pruning: a filter (one output channel of a conv2d, one
 * output unit of a dense) scores the L1 norm (sum |w|; Li et al. 2017, "Pruning Filters for
 * Efficient ConvNets", arXiv:1608.08710) or the L2 norm (sqrt(sum w^2); He et al. 2018, "Soft
 * Filter Pruning", arXiv:1808.06866) of its kernel slice [..., c]. Biases are left out, as in
 * both papers and in NNI's L1NormPruner / L2NormPruner.
 *
 * A coupled group's channel c scores the sum of its producers' norms for c. Torch-Pruning's
 * GroupMagnitudeImportance reduces a group by the mean over all coupled parameters (producers,
 * BatchNorm and consumers); summing producer norms ranks the same way as averaging them and
 * keeps the score a plain filter norm for a single-producer group.
 */
import type { WeightArray } from '../graph/ir';

import type { PruneCriterion } from '../choices/prune';
export type NormCriterion = PruneCriterion;

/** Norm of each output channel (last axis) of a Keras kernel; Float64 to avoid drift on big filters. */
export function outputChannelNorms(kernel: WeightArray, criterion: NormCriterion): Float64Array {
  const cout = kernel.shape[kernel.shape.length - 1];
  const acc = new Float64Array(cout);
  const v = kernel.values;
  for (let i = 0; i < v.length; i++) {
    const c = i % cout;
    acc[c] += criterion === 'l1' ? Math.abs(v[i]) : v[i] * v[i];
  }
  if (criterion === 'l2') for (let c = 0; c < cout; c++) acc[c] = Math.sqrt(acc[c]);
  return acc;
}

/** Channel indices to remove: the `count` lowest scores, ties by lower index first. Ascending. */
export function lowestChannels(scores: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}
