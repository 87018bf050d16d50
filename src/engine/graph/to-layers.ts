/**
 * Graph -> tfjs LayersModel, with the graph's weights. Used to train a graph (fine-tuning after
 * structured pruning) with tfjs' layers and optimizers; layer names are kept so masks and reports
 * refer to the same names before and after.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, GraphNode } from './ir';

function layerFor(n: Exclude<GraphNode, { op: 'input' }>): tf.layers.Layer {
  const name = n.name;
  switch (n.op) {
    case 'conv2d':
      return tf.layers.conv2d({ name, filters: n.kernel.shape[3], kernelSize: [n.kernel.shape[0], n.kernel.shape[1]], strides: n.strides, padding: n.padding, useBias: !!n.bias, activation: n.activation });
    case 'depthwise':
      return tf.layers.depthwiseConv2d({ name, kernelSize: [n.kernel.shape[0], n.kernel.shape[1]], depthMultiplier: n.kernel.shape[3], strides: n.strides, padding: n.padding, useBias: !!n.bias, activation: n.activation });
    case 'dense':
      return tf.layers.dense({ name, units: n.kernel.shape[1], useBias: !!n.bias, activation: n.activation });
    case 'batchnorm':
      return tf.layers.batchNormalization({ name, epsilon: n.epsilon, momentum: n.momentum });
    case 'activation':
      return tf.layers.activation({ name, activation: n.activation });
    case 'add':
      if (n.activation !== 'linear') throw new Error(`Add "${name}" has a fused activation; only graphs before quantization passes convert back to layers.`);
      return tf.layers.add({ name });
    case 'maxpool':
      return tf.layers.maxPooling2d({ name, poolSize: n.pool, strides: n.strides, padding: n.padding });
    case 'avgpool':
      return tf.layers.averagePooling2d({ name, poolSize: n.pool, strides: n.strides, padding: n.padding });
    case 'gap':
      return tf.layers.globalAveragePooling2d({ name });
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'dropout':
      return tf.layers.dropout({ name, rate: n.rate });
  }
}

export function layersModelFromGraph(g: Graph): tf.LayersModel {
  const outs = new Map<string, tf.SymbolicTensor>();
  const input = g.nodes[0];
  if (input.op !== 'input') throw new Error('graph has no input node first');
  const x = tf.input({ shape: input.shape, name: input.name });
  outs.set(input.name, x);
  const layers: Array<[tf.layers.Layer, GraphNode]> = [];
  for (const n of g.nodes.slice(1)) {
    if (n.op === 'input') throw new Error('a graph has exactly one input');
    const layer = layerFor(n);
    const ins = n.inputs.map((i) => outs.get(i)!);
    outs.set(n.name, layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor);
    layers.push([layer, n]);
  }
  const model = tf.model({ inputs: x, outputs: outs.get(g.output)!, name: g.name });
  for (const [layer, n] of layers) {
    const ws = weightsOf(n);
    if (!ws.length) continue;
    // setWeights assigns (shares) the data, so the temporary tensors can be freed right after.
    const ts = ws.map((w) => tf.tensor(w.values, w.shape));
    layer.setWeights(ts);
    tf.dispose(ts);
  }
  return model;
}

function weightsOf(n: GraphNode) {
  switch (n.op) {
    case 'conv2d':
    case 'depthwise':
    case 'dense':
      return n.bias ? [n.kernel, n.bias] : [n.kernel];
    case 'batchnorm':
      return [n.gamma, n.beta, n.mean, n.variance];
    default:
      return [];
  }
}
