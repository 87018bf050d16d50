/**
 * The studio's proposal of a user model's input scaling: the choice of input-scaling.ts that
 * classifies the given training images (200 at upload) best; the first among equals.
 */
import * as tf from '@tensorflow/tfjs';
import type { Predictor } from '../evaluate';
import { toInputTensor } from '../preprocess';
import type { ImageDataset } from '../types';
import { SCALINGS, type ScalingProposal } from '../choices/input-scaling';

/** Classifies the images under every scaling; the best (the first among equals) is proposed. */
export async function proposeScaling(model: Predictor, train: ImageDataset): Promise<ScalingProposal> {
  const rows: ScalingProposal['rows'] = [];
  for (const s of SCALINGS.options) {
    const pred = tf.tidy(() => (model.predict(toInputTensor(train, 0, train.count, s.preprocessing(train.id))) as tf.Tensor).argMax(-1));
    const p = await pred.data();
    pred.dispose();
    let right = 0;
    for (let i = 0; i < train.count; i++) if (p[i] === train.labels[i]) right++;
    rows.push({ id: s.id, accuracy: right / train.count });
  }
  const best = rows.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  return { rows, best: best.id, images: train.count };
}
