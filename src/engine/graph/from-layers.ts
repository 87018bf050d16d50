/**
 * tfjs LayersModel -> Graph. Only the layer classes the engine can compress and quantize are
 * accepted; anything else is refused by name rather than silently mis-handled.
 */
import type * as tf from '@tensorflow/tfjs';
import { StudioError } from '../errors';
import type { InputShape } from '../types';
import type { Activation, Graph, GraphNode, Padding, WeightArray } from './ir';

type Config = Record<string, unknown>;

const ACTIVATIONS: Record<string, Activation> = { linear: 'linear', relu: 'relu', relu6: 'relu6', softmax: 'softmax' };

function activationOf(layer: string, v: unknown): Activation {
  const a = ACTIVATIONS[String(v ?? 'linear')];
  if (!a) throw new StudioError('bad-model', `Layer "${layer}" uses the activation "${String(v)}", which the studio does not support (linear, relu, relu6, softmax).`, { layer });
  return a;
}

function pair(v: unknown): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  return [Number(a[0]), Number(a[1] ?? a[0])];
}

function weight(t: tf.Tensor): WeightArray {
  return { shape: [...t.shape], values: t.dataSync().slice() as Float32Array };
}

function inboundNames(layer: tf.layers.Layer): string[] {
  const nodes = (layer as unknown as { inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }> }).inboundNodes;
  if (nodes.length !== 1) throw new StudioError('bad-model', `Layer "${layer.name}" is used ${nodes.length} times; shared layers are not supported.`, { layer: layer.name });
  return nodes[0].inboundLayers.map((l) => l.name);
}

export function graphFromLayersModel(model: tf.LayersModel): Graph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new StudioError('bad-model', `The studio needs a model with one input and one output (this one has ${model.inputs.length} and ${model.outputs.length}).`);
  const nodes: GraphNode[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const c = layer.getConfig() as Config;
    const name = layer.name;
    const ws = layer.getWeights();
    const inputs = cls === 'InputLayer' ? [] : inboundNames(layer);
    switch (cls) {
      case 'InputLayer': {
        const shape = (c.batchInputShape as number[]).slice(1);
        if (shape.length !== 3 || shape.some((d) => !(d > 0))) throw new StudioError('shape-mismatch', `The input must be an image [height, width, channels]; this model's input is [${shape.join(', ')}].`);
        nodes.push({ op: 'input', name, inputs, shape: shape as InputShape });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const dil = pair(c.dilationRate ?? 1);
        if (dil[0] !== 1 || dil[1] !== 1) throw new StudioError('bad-model', `Layer "${name}" is dilated; dilated convolutions are not supported.`, { layer: name });
        const useBias = c.useBias !== false;
        const common = {
          name,
          inputs,
          kernel: weight(ws[0]),
          bias: useBias ? weight(ws[1]) : undefined,
          strides: pair(c.strides),
          padding: String(c.padding) as Padding,
          activation: activationOf(name, c.activation),
        };
        if (common.padding !== 'same' && common.padding !== 'valid') throw new StudioError('bad-model', `Layer "${name}" uses padding "${common.padding}"; only same and valid are supported.`, { layer: name });
        nodes.push(cls === 'Conv2D' ? { op: 'conv2d', ...common } : { op: 'depthwise', ...common });
        break;
      }
      case 'Dense':
        nodes.push({ op: 'dense', name, inputs, kernel: weight(ws[0]), bias: c.useBias !== false ? weight(ws[1]) : undefined, activation: activationOf(name, c.activation) });
        break;
      case 'BatchNormalization': {
        if (c.center === false || c.scale === false) throw new StudioError('bad-model', `BatchNormalization "${name}" without center or scale is not supported.`, { layer: name });
        const [gamma, beta, mean, variance] = ws.map(weight);
        nodes.push({ op: 'batchnorm', name, inputs, gamma, beta, mean, variance, epsilon: Number(c.epsilon ?? 1e-3), momentum: Number(c.momentum ?? 0.99) });
        break;
      }
      case 'Activation':
      case 'ReLU':
        nodes.push({ op: 'activation', name, inputs, activation: cls === 'ReLU' ? (c.maxValue === 6 ? 'relu6' : 'relu') : activationOf(name, c.activation) });
        break;
      case 'Add':
        nodes.push({ op: 'add', name, inputs, activation: 'linear' });
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        nodes.push({ op: cls === 'MaxPooling2D' ? 'maxpool' : 'avgpool', name, inputs, pool: pair(c.poolSize), strides: pair(c.strides ?? c.poolSize), padding: String(c.padding) as Padding });
        break;
      case 'GlobalAveragePooling2D':
        nodes.push({ op: 'gap', name, inputs });
        break;
      case 'Flatten':
        nodes.push({ op: 'flatten', name, inputs });
        break;
      case 'Dropout':
        nodes.push({ op: 'dropout', name, inputs, rate: Number(c.rate ?? 0) });
        break;
      default:
        throw new StudioError(
          'bad-model',
          `Unsupported layer "${name}" of class ${cls}. The studio supports Conv2D, DepthwiseConv2D, Dense, BatchNormalization, Activation, ReLU, Add, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten and Dropout.`,
          { layer: name, className: cls },
        );
    }
  }
  return { name: model.name, nodes, output: model.outputs[0].sourceLayer.name };
}
