/**
 * ResNet50 / ResNet101 (He et al. 2016, arXiv:1512.03385) with bottleneck blocks.
 *
 * Adaptation to 32x32 / 28x28 inputs (as in most CIFAR ResNets): the 7x7 stride-2 stem and its
 * max-pool are replaced by one 3x3 stride-1 convolution, so the four stages see 32, 16, 8 and 4
 * pixels. Stage widths and depths are the ImageNet ones; a 1x1 projection shortcut is used where
 * the shape changes (the first block of each stage).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../types';
import { classifierHead, convBnAct, type SymTensor } from './layers';

export const RESNET_DEPTHS = { resnet50: [3, 4, 6, 3], resnet101: [3, 4, 23, 3] } as const;
const STAGE_WIDTHS = [64, 128, 256, 512];

function bottleneck(x: SymTensor, name: string, width: number, stride: number, project: boolean): SymTensor {
  let y = convBnAct(x, `${name}_a`, width, 1, 1, 'relu');
  y = convBnAct(y, `${name}_b`, width, 3, stride, 'relu');
  y = convBnAct(y, `${name}_c`, width * 4, 1, 1, 'linear');
  const shortcut = project ? convBnAct(x, `${name}_proj`, width * 4, 1, stride, 'linear') : x;
  const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymTensor;
  return tf.layers.activation({ name: `${name}_out`, activation: 'relu' }).apply(sum) as SymTensor;
}

export function buildResNet(spec: ModelSpec, depth: 'resnet50' | 'resnet101'): tf.LayersModel {
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x: SymTensor = convBnAct(input, 'stem', 64, 3, 1, 'relu');
  RESNET_DEPTHS[depth].forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      x = bottleneck(x, `s${stage + 1}b${b + 1}`, STAGE_WIDTHS[stage], stride, b === 0);
    }
  });
  const output = classifierHead(x, spec.numClasses, 0);
  return tf.model({ inputs: input, outputs: output, name: depth });
}
