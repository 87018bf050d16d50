/**
 * The engine's own model graph: plain data (typed arrays, no tensors) that compression passes
 * rewrite and that runs on any tfjs backend through execute.ts. tfjs LayersModels are converted
 * in and out (from-layers.ts, to-layers.ts) because a LayersModel cannot be edited in place: its
 * layers fix their shapes at build time, which structured pruning must change, and it has no place
 * to insert int8 quantize-dequantize steps.
 *
 * Layouts are Keras' (NHWC activations; kernels [kh,kw,cin,cout], depthwise [kh,kw,cin,mult],
 * dense [in,out]), so weights move between the two without transposition.
 */
import type { InputShape } from '../types';

export interface WeightArray {
  shape: number[];
  values: Float32Array;
}

export type Activation = 'linear' | 'relu' | 'relu6' | 'softmax';
export type Padding = 'same' | 'valid';

interface Base {
  name: string;
  /** Names of the producing nodes, in order. */
  inputs: string[];
}

export interface InputNode extends Base {
  op: 'input';
  shape: InputShape;
}
export interface Conv2DNode extends Base {
  op: 'conv2d';
  kernel: WeightArray;
  bias?: WeightArray;
  strides: [number, number];
  padding: Padding;
  activation: Activation;
}
export interface DepthwiseNode extends Base {
  op: 'depthwise';
  kernel: WeightArray;
  bias?: WeightArray;
  strides: [number, number];
  padding: Padding;
  activation: Activation;
}
export interface DenseNode extends Base {
  op: 'dense';
  kernel: WeightArray;
  bias?: WeightArray;
  activation: Activation;
}
export interface BatchNormNode extends Base {
  op: 'batchnorm';
  gamma: WeightArray;
  beta: WeightArray;
  mean: WeightArray;
  variance: WeightArray;
  epsilon: number;
  momentum: number;
}
export interface ActivationNode extends Base {
  op: 'activation';
  activation: Activation;
}
export interface AddNode extends Base {
  op: 'add';
  activation: Activation;
}
export interface PoolNode extends Base {
  op: 'maxpool' | 'avgpool';
  pool: [number, number];
  strides: [number, number];
  padding: Padding;
}
export interface GlobalAvgPoolNode extends Base {
  op: 'gap';
}
export interface FlattenNode extends Base {
  op: 'flatten';
}
export interface DropoutNode extends Base {
  op: 'dropout';
  rate: number;
}

export type GraphNode = InputNode | Conv2DNode | DepthwiseNode | DenseNode | BatchNormNode | ActivationNode | AddNode | PoolNode | GlobalAvgPoolNode | FlattenNode | DropoutNode;

export type WeightedNode = Conv2DNode | DepthwiseNode | DenseNode;

export interface Graph {
  name: string;
  /** Topological order: every node after its inputs; nodes[0] is the single input. */
  nodes: GraphNode[];
  /** Name of the node whose output is the model's output (logits). */
  output: string;
}

export function isWeighted(n: GraphNode): n is WeightedNode {
  return n.op === 'conv2d' || n.op === 'depthwise' || n.op === 'dense';
}

export function nodeMap(g: Graph): Map<string, GraphNode> {
  return new Map(g.nodes.map((n) => [n.name, n]));
}

/** For each node, the nodes that read its output. */
export function consumers(g: Graph): Map<string, GraphNode[]> {
  const m = new Map<string, GraphNode[]>(g.nodes.map((n) => [n.name, []]));
  for (const n of g.nodes) for (const i of n.inputs) m.get(i)!.push(n);
  return m;
}

function cloneWeight(w: WeightArray): WeightArray {
  return { shape: [...w.shape], values: w.values.slice() };
}

/** A deep copy: passes mutate their copy, never the caller's graph. */
export function cloneGraph(g: Graph): Graph {
  const nodes = g.nodes.map((n) => {
    const c: Record<string, unknown> = { ...n, inputs: [...n.inputs] };
    for (const [k, v] of Object.entries(n)) {
      if (v && typeof v === 'object' && 'values' in v && 'shape' in v) c[k] = cloneWeight(v as WeightArray);
      else if (Array.isArray(v)) c[k] = [...v];
    }
    return c as unknown as GraphNode;
  });
  return { name: g.name, nodes, output: g.output };
}

export function weightCount(w: WeightArray | undefined): number {
  return w ? w.values.length : 0;
}

/** Every weight array of a node, named as Keras names its variables. */
export function nodeWeights(n: GraphNode): Array<[string, WeightArray]> {
  switch (n.op) {
    case 'conv2d':
    case 'dense':
      return n.bias
        ? [
            ['kernel', n.kernel],
            ['bias', n.bias],
          ]
        : [['kernel', n.kernel]];
    case 'depthwise':
      return n.bias
        ? [
            ['depthwise_kernel', n.kernel],
            ['bias', n.bias],
          ]
        : [['depthwise_kernel', n.kernel]];
    case 'batchnorm':
      return [
        ['gamma', n.gamma],
        ['beta', n.beta],
        ['moving_mean', n.mean],
        ['moving_variance', n.variance],
      ];
    default:
      return [];
  }
}
