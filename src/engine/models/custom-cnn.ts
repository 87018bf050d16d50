/**
 * The studio's own TinyML CNN: five 3x3 conv+BN+ReLU layers (32-32-64-64-128) with three
 * 2x2 max-pools, global average pooling and a dense classifier.
 *
 * Why this shape: ~140k parameters (about 140 KB at int8, so it fits 1 MB of flash with room to
 * spare), and its largest pair of live activations at 32x32 is two 32x32x32 int8 maps = 64 KB, so
 * the int8 tensor arena fits a 256 KB-RAM microcontroller. Global average pooling (instead of a
 * large Flatten+Dense) keeps the classifier tiny and the model independent of input size.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../types';
import { classifierHead, convBnAct, type SymTensor } from './layers';

export const CUSTOM_CNN_FILTERS = [32, 32, 64, 64, 128] as const;
/** A 2x2 max-pool follows these conv indices. */
export const CUSTOM_CNN_POOL_AFTER = [1, 3, 4] as const;

export function buildCustomCnn(spec: ModelSpec): tf.LayersModel {
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x: SymTensor = input;
  CUSTOM_CNN_FILTERS.forEach((filters, i) => {
    x = convBnAct(x, `block${i + 1}`, filters, 3, 1, 'relu');
    if ((CUSTOM_CNN_POOL_AFTER as readonly number[]).includes(i)) {
      x = tf.layers.maxPooling2d({ name: `pool${i + 1}`, poolSize: 2, strides: 2, padding: 'valid' }).apply(x) as SymTensor;
    }
  });
  const output = classifierHead(x, spec.numClasses, spec.dropout ?? 0.2);
  return tf.model({ inputs: input, outputs: output, name: 'custom_cnn' });
}
