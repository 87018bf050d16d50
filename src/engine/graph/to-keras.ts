/**
 * Graph -> Keras layer list and named weights, without tfjs: how an imported graph (ONNX, TFLite)
 * becomes the canonical LayersModel every job loads (validate/layers-model.ts
 * validatedFromWeights checks it like any upload). Layouts are already Keras' (ir.ts). An Add with
 * a fused activation becomes Add + Activation, which Keras' Add cannot carry.
 */
import type { KerasLayer, KerasTopology } from '../validate/keras-topology';
import { nodeWeights, type Graph, type GraphNode, type WeightArray } from './ir';

function layerOf(n: GraphNode): { cls: string; config: Record<string, unknown> } {
  const name = n.name;
  switch (n.op) {
    case 'input':
      return { cls: 'InputLayer', config: { name, batch_input_shape: [null, ...n.shape] } };
    case 'conv2d':
      return { cls: 'Conv2D', config: { name, filters: n.kernel.shape[3], kernel_size: n.kernel.shape.slice(0, 2), strides: n.strides, padding: n.padding, activation: n.activation, use_bias: !!n.bias } };
    case 'depthwise':
      return { cls: 'DepthwiseConv2D', config: { name, depth_multiplier: n.kernel.shape[3], kernel_size: n.kernel.shape.slice(0, 2), strides: n.strides, padding: n.padding, activation: n.activation, use_bias: !!n.bias } };
    case 'dense':
      return { cls: 'Dense', config: { name, units: n.kernel.shape[1], activation: n.activation, use_bias: !!n.bias } };
    case 'batchnorm':
      return { cls: 'BatchNormalization', config: { name, epsilon: n.epsilon, momentum: n.momentum } };
    case 'activation':
      return { cls: 'Activation', config: { name, activation: n.activation } };
    case 'add':
      return { cls: 'Add', config: { name } };
    case 'maxpool':
    case 'avgpool':
      return { cls: n.op === 'maxpool' ? 'MaxPooling2D' : 'AveragePooling2D', config: { name, pool_size: n.pool, strides: n.strides, padding: n.padding } };
    case 'gap':
      return { cls: 'GlobalAveragePooling2D', config: { name } };
    case 'flatten':
      return { cls: 'Flatten', config: { name } };
    case 'dropout':
      return { cls: 'Dropout', config: { name, rate: n.rate } };
  }
}

export function kerasFromGraph(g: Graph): { topology: KerasTopology; weights: Map<string, WeightArray> } {
  const layers: KerasLayer[] = [];
  const weights = new Map<string, WeightArray>();
  const renamed = new Map<string, string>();
  for (const n of g.nodes) {
    const { cls, config } = layerOf(n);
    layers.push({ name: n.name, cls, config, inbound: n.inputs.map((i) => renamed.get(i) ?? i) });
    for (const [suffix, w] of nodeWeights(n)) weights.set(`${n.name}/${suffix}`, w);
    if (n.op === 'add' && n.activation !== 'linear') {
      const act = `${n.name}_${n.activation}`;
      layers.push({ name: act, cls: 'Activation', config: { name: act, activation: n.activation }, inbound: [n.name] });
      renamed.set(n.name, act);
    }
  }
  return { topology: { name: g.name, layers, input: g.nodes[0].name, output: renamed.get(g.output) ?? g.output }, weights };
}
