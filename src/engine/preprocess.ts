/**
 * uint8 NHWC pixels -> the float32 input a model expects, following the Preprocessing descriptor
 * stored with each baseline. Evaluation and training share preprocessInto, and its arithmetic is
 * float32 step by step (Math.fround after each operation), as tfjs' own ops and the offline
 * trainer compute it.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, Preprocessing } from './types';

/** Writes the preprocessed values of one image's (or a run of images') pixels into out at `at`. */
export function preprocessInto(src: Uint8Array, channels: number, prep: Preprocessing, out: Float32Array, at: number): void {
  if (prep.kind === 'scale') {
    const s = Math.fround(prep.scale);
    for (let k = 0; k < src.length; k++) out[at + k] = src[k] * s;
    return;
  }
  const mean = prep.mean.map(Math.fround);
  const std = prep.std.map(Math.fround);
  for (let k = 0; k < src.length; k++) out[at + k] = Math.fround(src[k] - mean[k % channels]) / std[k % channels];
}

export function toInputTensor(ds: ImageDataset, first: number, count: number, prep: Preprocessing): tf.Tensor4D {
  const [h, w, c] = ds.shape;
  const n = Math.min(count, ds.count - first);
  const per = h * w * c;
  const out = new Float32Array(n * per);
  preprocessInto(ds.pixels.subarray(first * per, (first + n) * per), c, prep, out, 0);
  return tf.tensor4d(out, [n, h, w, c]);
}

/** The preprocessed images at the given record indices, in that order. */
export function toInputTensorAt(ds: ImageDataset, indices: ArrayLike<number>, prep: Preprocessing): tf.Tensor4D {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const out = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) preprocessInto(ds.pixels.subarray(indices[i] * per, (indices[i] + 1) * per), c, prep, out, i * per);
  return tf.tensor4d(out, [indices.length, h, w, c]);
}
