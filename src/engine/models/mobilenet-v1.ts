/**
 * MobileNetV1 (Howard et al. 2017, arXiv:1704.04861) with a width multiplier alpha.
 *
 * Adaptation to 32x32 / 28x28 inputs: the stem convolution has stride 1 instead of 2 (a 224-style
 * stem would shrink a 32x32 image to 1x1 before the last blocks). The 13 depthwise-separable
 * blocks keep the original strides, so a 32x32 input is reduced 32 -> 16 -> 8 -> 4 -> 2.
 * ReLU6 and BatchNorm as in the original; 'same' padding (TF's asymmetric padding at stride 2).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../types';
import { classifierHead, convBnAct, depthwiseBnAct, type SymTensor } from './layers';

/** [pointwise filters at alpha=1, depthwise stride] for the 13 blocks. */
export const MOBILENET_V1_BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export function mobilenetChannels(filters: number, alpha: number): number {
  return Math.max(8, Math.round(filters * alpha));
}

export function buildMobileNetV1(spec: ModelSpec): tf.LayersModel {
  const alpha = spec.alpha ?? 1.0;
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x: SymTensor = convBnAct(input, 'stem', mobilenetChannels(32, alpha), 3, 1, 'relu6');
  MOBILENET_V1_BLOCKS.forEach(([filters, stride], i) => {
    const name = `block${i + 1}`;
    x = depthwiseBnAct(x, name, stride);
    x = convBnAct(x, `${name}_pw`, mobilenetChannels(filters, alpha), 1, 1, 'relu6');
  });
  const output = classifierHead(x, spec.numClasses, spec.dropout ?? 0.2);
  return tf.model({ inputs: input, outputs: output, name: `mobilenet_v1_${alpha}` });
}
