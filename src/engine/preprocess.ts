/**
 * uint8 NHWC pixels -> the float32 input a model expects, following the Preprocessing descriptor
 * stored with each baseline. The offline trainer applies the same arithmetic in float32.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, Preprocessing } from './types';

export function toInputTensor(ds: ImageDataset, first: number, count: number, prep: Preprocessing): tf.Tensor4D {
  const [h, w, c] = ds.shape;
  const n = Math.min(count, ds.count - first);
  const per = h * w * c;
  const raw = ds.pixels.subarray(first * per, (first + n) * per);
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(raw), [n, h, w, c]);
    if (prep.kind === 'scale') return x.mul(tf.scalar(Math.fround(prep.scale)));
    return x.sub(tf.tensor1d(prep.mean)).div(tf.tensor1d(prep.std));
  });
}
