/**
 * Runs a Graph with tfjs ops on the active backend. Weights are uploaded once at compile time
 * (optionally transformed, e.g. quantize-dequantized); an optional per-node output transform is
 * where simulated int8 inference inserts its quantize-dequantize steps.
 */
import * as tf from '@tensorflow/tfjs';
import { foldBatchNorm } from '../quantize/fold-batchnorm';
import { type Activation, type BatchNormNode, type Graph, type GraphNode, isWeighted, type WeightArray, type WeightedNode } from './ir';
import { foldableBatchNorms } from './rewrite';

export interface CompileOptions {
  /** Replaces a weight's values before upload (e.g. dequantized int8). */
  weight?: (node: GraphNode, key: string, w: WeightArray) => Float32Array;
  /** Applied to a node's output; must return a new tensor (it runs inside a tidy). */
  output?: (node: GraphNode, y: tf.Tensor) => tf.Tensor;
  /**
   * Runs each BatchNorm whose input is a linear conv, depthwise or dense layer read by nothing
   * else folded into that layer, as inference does; the BatchNorm then passes its input on, so
   * the layer's own output is already normalized (capture and given outputs see it so). The same
   * function up to float rounding, for code that runs a model many times: MobileNetV1's
   * BatchNorms took a fifth of its forward time in wasm.
   */
  foldBatchNorm?: boolean;
}

export interface CompiledGraph {
  graph: Graph;
  /** Logits for a batch [n,h,w,c]; the caller owns (disposes) the result. */
  predict(x: tf.Tensor): tf.Tensor;
  /** Outputs of the named nodes (after the output transform), all owned by the caller. */
  capture(x: tf.Tensor, names: string[]): Record<string, tf.Tensor>;
  /**
   * Logits from given node outputs instead of the input: every node whose output is given is
   * taken as it is, and only the nodes after them run (`frontier` names what must be given).
   */
  predictFrom(given: Record<string, tf.Tensor>): tf.Tensor;
  /**
   * capture from given node outputs instead of the input (as predictFrom): the named outputs, all
   * owned by the caller (a name that is given comes back as a copy).
   */
  captureFrom(given: Record<string, tf.Tensor>, names: string[]): Record<string, tf.Tensor>;
  /**
   * Uploads one layer's weights again after they changed in the graph (a BatchNorm folded into it
   * is folded again; a bias added or removed follows): trying many versions of one layer then costs
   * one layer's upload each, not the whole model's.
   */
  refresh(layer: string): void;
  dispose(): void;
}

type FusedAct = 'linear' | 'relu' | 'relu6';

function activate(y: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'softmax':
      return tf.softmax(y);
    default:
      return y;
  }
}

/**
 * The nodes before `node` (in graph order) whose outputs a node at or after it reads: given
 * those, predictFrom runs the network from `node` on. One name for a chain; more across a
 * residual connection.
 */
export function frontier(g: Graph, node: string): string[] {
  const at = g.nodes.findIndex((n) => n.name === node);
  const before = new Set(g.nodes.slice(0, at).map((n) => n.name));
  const needed = new Set<string>();
  for (const n of g.nodes.slice(at)) for (const i of n.inputs) if (before.has(i)) needed.add(i);
  return g.nodes.filter((n) => needed.has(n.name)).map((n) => n.name);
}

/** Softmax is not a fused activation in tfjs; apply it after the fused op. */
function split(a: Activation): [FusedAct, Activation] {
  return a === 'softmax' ? ['linear', 'softmax'] : [a, 'linear'];
}

export function compileGraph(g: Graph, opts: CompileOptions = {}): CompiledGraph {
  const weights = new Map<string, tf.Tensor>();
  const valuesOf = (n: GraphNode, key: string, w: WeightArray) => (opts.weight ? opts.weight(n, key, w) : w.values);
  const upload = (n: GraphNode, key: string, w: WeightArray | undefined) => {
    if (w) weights.set(`${n.name}/${key}`, tf.tensor(valuesOf(n, key, w), w.shape));
  };
  const folds = opts.foldBatchNorm ? foldableBatchNorms(g) : new Map<string, BatchNormNode>();
  const folded = new Set([...folds.values()].map((b) => b.name));
  const uploadLayer = (n: WeightedNode) => {
    const key = n.op === 'depthwise' ? 'depthwise_kernel' : 'kernel';
    const bn = folds.get(n.name);
    if (!bn) {
      upload(n, key, n.kernel);
      upload(n, 'bias', n.bias);
      return;
    }
    const f = foldBatchNorm(valuesOf(n, key, n.kernel), n.bias && valuesOf(n, 'bias', n.bias), {
      gamma: valuesOf(bn, 'gamma', bn.gamma),
      beta: valuesOf(bn, 'beta', bn.beta),
      mean: valuesOf(bn, 'moving_mean', bn.mean),
      variance: valuesOf(bn, 'moving_variance', bn.variance),
      epsilon: bn.epsilon,
    });
    weights.set(`${n.name}/${key}`, tf.tensor(f.kernel, n.kernel.shape));
    weights.set(`${n.name}/bias`, tf.tensor(f.bias, [f.bias.length]));
  };
  for (const n of g.nodes) {
    if (isWeighted(n)) uploadLayer(n);
    else if (n.op === 'batchnorm' && !folded.has(n.name)) {
      upload(n, 'gamma', n.gamma);
      upload(n, 'beta', n.beta);
      upload(n, 'moving_mean', n.mean);
      upload(n, 'moving_variance', n.variance);
    }
  }
  const w = (n: GraphNode, key: string) => weights.get(`${n.name}/${key}`);

  function evalNode(n: GraphNode, ins: tf.Tensor[]): tf.Tensor {
    const x = ins[0];
    switch (n.op) {
      case 'input':
        return x.clone(); // shares data; keeps the caller's tensor out of this tidy's results
      case 'conv2d': {
        const [fused, after] = split(n.activation);
        const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w(n, 'kernel') as tf.Tensor4D, strides: n.strides, pad: n.padding, bias: w(n, 'bias'), activation: fused });
        return activate(y, after);
      }
      case 'depthwise': {
        const [fused, after] = split(n.activation);
        const y = tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: w(n, 'depthwise_kernel') as tf.Tensor4D, strides: n.strides, pad: n.padding, bias: w(n, 'bias'), activation: fused });
        return activate(y, after);
      }
      case 'dense': {
        const [fused, after] = split(n.activation);
        const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: w(n, 'kernel') as tf.Tensor2D, bias: w(n, 'bias'), activation: fused });
        return activate(y, after);
      }
      case 'batchnorm':
        // Its layer's output as it is: a clone copies the activations in wasm (3.5 s of an
        // allocation's analyses of MobileNetV1 1.0). Returning a tensor twice is safe, as dropout does.
        if (folded.has(n.name)) return x;
        return tf.batchNorm(x, w(n, 'moving_mean')!, w(n, 'moving_variance')!, w(n, 'beta'), w(n, 'gamma'), n.epsilon);
      case 'activation':
        return activate(x, n.activation);
      case 'add':
        return activate(ins.length === 2 ? tf.add(ins[0], ins[1]) : tf.addN(ins), n.activation);
      case 'maxpool':
        return tf.maxPool(x as tf.Tensor4D, n.pool, n.strides, n.padding);
      case 'avgpool':
        return tf.avgPool(x as tf.Tensor4D, n.pool, n.strides, n.padding);
      case 'gap':
        return tf.mean(x, [1, 2]);
      case 'flatten':
        return tf.reshape(x, [x.shape[0], -1]);
      case 'dropout':
        return x;
    }
  }

  function forward(x: tf.Tensor | undefined, keep: Set<string>, given: Record<string, tf.Tensor> = {}): Map<string, tf.Tensor> {
    const outs = new Map<string, tf.Tensor>();
    let wanted = keep.size;
    for (const n of g.nodes) {
      if (n.name in given) {
        outs.set(n.name, given[n.name]);
        if (keep.has(n.name) && --wanted === 0) break;
        continue;
      }
      // Before the given cut: nothing later needs it (see frontier()), so it does not run.
      if (n.op === 'input' ? !x : n.inputs.some((i) => !outs.has(i))) continue;
      const ins = n.op === 'input' ? [x!] : n.inputs.map((i) => outs.get(i)!);
      let y = evalNode(n, ins);
      if (opts.output) y = opts.output(n, y);
      outs.set(n.name, y);
      // Capturing an early layer (layer-wise reconstruction does, layer by layer) skips the rest of the network.
      if (keep.has(n.name) && --wanted === 0) break;
    }
    return new Map([...keep].map((k) => [k, outs.get(k)!]));
  }

  return {
    graph: g,
    predict: (x) => tf.tidy(() => forward(x, new Set([g.output])).get(g.output)!),
    capture: (x, names) => tf.tidy(() => Object.fromEntries(forward(x, new Set(names)))),
    predictFrom: (given) =>
      tf.tidy(() => {
        const y = forward(undefined, new Set([g.output]), given).get(g.output);
        if (!y) throw new Error(`predictFrom: the given outputs (${Object.keys(given).join(', ')}) do not reach ${g.output}`);
        // A given tensor passed straight through must not be disposed with the caller's.
        return Object.values(given).includes(y) ? y.clone() : y;
      }),
    captureFrom: (given, names) =>
      tf.tidy(() => {
        const outs = forward(undefined, new Set(names), given);
        const passedThrough = new Set(Object.values(given));
        return Object.fromEntries(
          [...outs].map(([k, y]) => {
            if (!y) throw new Error(`captureFrom: the given outputs (${Object.keys(given).join(', ')}) do not reach ${k}`);
            return [k, passedThrough.has(y) ? y.clone() : y];
          }),
        );
      }),
    refresh: (layer) => {
      const n = g.nodes.find((m) => m.name === layer);
      if (!n || !isWeighted(n)) throw new Error(`refresh: "${layer}" is not a conv, depthwise or dense layer of ${g.name}`);
      for (const key of ['kernel', 'depthwise_kernel', 'bias']) {
        weights.get(`${layer}/${key}`)?.dispose();
        weights.delete(`${layer}/${key}`);
      }
      uploadLayer(n);
    },
    dispose: () => {
      tf.dispose([...weights.values()]);
      weights.clear();
    },
  };
}
