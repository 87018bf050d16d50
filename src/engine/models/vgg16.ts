/**
 * VGG16 (Simonyan & Zisserman 2015, arXiv:1409.1556), CIFAR-style.
 *
 * Adaptations to 32x32 / 28x28 inputs: BatchNorm after every convolution (plain VGG16 does not
 * train reliably from scratch without it), max-pools with 'same' padding so 28x28 inputs reduce
 * 28 -> 14 -> 7 -> 4 -> 2 -> 1 like 32x32 ones reduce to 1x1, and a 512-unit classifier instead of
 * the two 4096-unit layers meant for 7x7x512 ImageNet features.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../types';
import { convBnAct, type SymTensor } from './layers';

export const VGG16_STAGES = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
] as const;

export function buildVgg16(spec: ModelSpec): tf.LayersModel {
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x: SymTensor = input;
  VGG16_STAGES.forEach((stage, s) => {
    stage.forEach((filters, i) => {
      x = convBnAct(x, `s${s + 1}c${i + 1}`, filters, 3, 1, 'relu');
    });
    x = tf.layers.maxPooling2d({ name: `pool${s + 1}`, poolSize: 2, strides: 2, padding: 'same' }).apply(x) as SymTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymTensor;
  x = tf.layers.dense({ name: 'fc1', units: 512, activation: 'relu' }).apply(x) as SymTensor;
  x = tf.layers.dropout({ name: 'dropout', rate: 0.5 }).apply(x) as SymTensor;
  const output = tf.layers.dense({ name: 'logits', units: spec.numClasses }).apply(x) as SymTensor;
  return tf.model({ inputs: input, outputs: output, name: 'vgg16' });
}
