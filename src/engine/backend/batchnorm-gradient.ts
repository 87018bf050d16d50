/**
 * A leaner gradient for FusedBatchNorm (batch normalization with per-channel mean, variance,
 * scale and offset), registered for every backend.
 *
 * Why: tfjs-core's gradient tiles 1/sqrt(var+eps) to the full activation shape and computes each
 * of the five input gradients with its own full-size products; on the wasm backend that made
 * BatchNorm's backward pass ~40% of a training step of the zoo's custom CNN. Broadcasting and two
 * shared reductions give the same values with far fewer full-size passes:
 *   r = 1/sqrt(var + eps), Sdy = sum(dy), Sdyx = sum(dy * (x - mean))  (sums over all but the channel axis)
 *   dx = dy * scale * r,  dmean = -scale * r * Sdy,  dvar = -0.5 * scale * r^3 * Sdyx,
 *   dscale = r * Sdyx,    doffset = Sdy.
 * Other shapes (mean not rank 1) keep tfjs' own gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';

let original: GradConfig | undefined;
let registered = false;

function gradFunc(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const [x, mean, variance, scale] = saved;
  const g = dy as Tensor;
  if (mean.rank !== 1 || !original) return original!.gradFunc(dy, saved, attrs);
  const eps = attrs.varianceEpsilon as number;
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const r = tf.rsqrt(tf.add(variance, eps));
  const scaleR = scale ? tf.mul(scale, r) : r;
  const sumDy = tf.sum(g, axes);
  const sumDyXm = tf.sum(tf.mul(g, tf.sub(x, mean)), axes);
  return {
    x: () => tf.mul(g, scaleR),
    mean: () => tf.neg(tf.mul(scaleR, sumDy)),
    variance: () => tf.mul(tf.mul(scaleR, tf.mul(r, r)), tf.mul(sumDyXm, -0.5)),
    scale: () => tf.mul(r, sumDyXm),
    offset: () => sumDy.clone(),
  };
}

/** Installs the leaner gradient once; returns false if tfjs has no FusedBatchNorm gradient to replace. */
export function registerBatchNormGradient(): boolean {
  if (registered) return true;
  original = tf.getGradient('FusedBatchNorm');
  if (!original) return false;
  // tfjs warns when a gradient is overridden; the override is deliberate, so keep the log clean.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient({ kernelName: 'FusedBatchNorm', inputsToSave: ['x', 'mean', 'variance', 'scale'], gradFunc: gradFunc as GradConfig['gradFunc'] });
  } finally {
    console.warn = warn;
  }
  registered = true;
  return true;
}
