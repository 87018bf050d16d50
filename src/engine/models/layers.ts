/**
 * Small helpers shared by the zoo builders. Every layer gets an explicit, deterministic name
 * so that weight names in model.json never depend on how many models were built before
 * (tfjs' default names use a global counter), and the offline trainer can map them.
 */
import * as tf from '@tensorflow/tfjs';

export type SymTensor = tf.SymbolicTensor;

export function convBnAct(x: SymTensor, name: string, filters: number, kernelSize: number, strides: number, activation: 'relu' | 'relu6' | 'linear'): SymTensor {
  let y = tf.layers.conv2d({ name: `${name}_conv`, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as SymTensor;
  y = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9, epsilon: 1e-3 }).apply(y) as SymTensor;
  if (activation !== 'linear') y = tf.layers.activation({ name: `${name}_${activation}`, activation }).apply(y) as SymTensor;
  return y;
}

export function depthwiseBnAct(x: SymTensor, name: string, strides: number): SymTensor {
  let y = tf.layers.depthwiseConv2d({ name: `${name}_dw`, kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: 'heNormal' }).apply(x) as SymTensor;
  y = tf.layers.batchNormalization({ name: `${name}_dw_bn`, momentum: 0.9, epsilon: 1e-3 }).apply(y) as SymTensor;
  return tf.layers.activation({ name: `${name}_dw_relu6`, activation: 'relu6' }).apply(y) as SymTensor;
}

/** Global average pool, dropout, and a linear classifier: the models output logits. */
export function classifierHead(x: SymTensor, numClasses: number, dropout: number): SymTensor {
  let y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as SymTensor;
  if (dropout > 0) y = tf.layers.dropout({ name: 'dropout', rate: dropout }).apply(y) as SymTensor;
  return tf.layers.dense({ name: 'logits', units: numClasses }).apply(y) as SymTensor;
}
