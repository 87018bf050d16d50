/**
 * Inference-time graph rewrites, as the TFLite converter applies them before quantizing:
 * dropout removed, BatchNorm folded into the preceding conv/depthwise/dense, and ReLU/ReLU6
 * fused into the op that produces their input (an int8 runtime applies them as a clamp on the
 * requantized output, so no separate tensor exists between the op and its activation).
 */
import { foldBatchNorm } from '../quantize/fold-batchnorm';
import { type BatchNormNode, cloneGraph, consumers, type Graph, type GraphNode, isWeighted, type WeightedNode } from './ir';

/** Removes node `n` (single input), pointing its readers at its input. */
function bypass(g: Graph, n: GraphNode): void {
  const src = n.inputs[0];
  for (const m of g.nodes) m.inputs = m.inputs.map((i) => (i === n.name ? src : i));
  if (g.output === n.name) g.output = src;
  g.nodes = g.nodes.filter((m) => m !== n);
}

/** Layer name -> the BatchNorm that folds into it: the layer is linear, conv, depthwise or dense, and read by that BatchNorm alone. */
export function foldableBatchNorms(g: Graph): Map<string, BatchNormNode> {
  const readers = consumers(g);
  const out = new Map<string, BatchNormNode>();
  for (const n of g.nodes) {
    if (n.op !== 'batchnorm') continue;
    const p = g.nodes.find((m) => m.name === n.inputs[0]);
    if (p && isWeighted(p) && p.activation === 'linear' && readers.get(p.name)?.length === 1) out.set(p.name, n);
  }
  return out;
}

export function prepareForInference(graph: Graph): Graph {
  const g = cloneGraph(graph);
  for (const n of [...g.nodes]) if (n.op === 'dropout') bypass(g, n);

  // Again after each round: a second BatchNorm in a row becomes foldable once the first is gone.
  for (let round = foldableBatchNorms(g); round.size > 0; round = foldableBatchNorms(g)) {
    for (const [name, n] of round) {
      const p = g.nodes.find((m) => m.name === name) as WeightedNode;
      const folded = foldBatchNorm(p.kernel.values, p.bias?.values, {
        gamma: n.gamma.values,
        beta: n.beta.values,
        mean: n.mean.values,
        variance: n.variance.values,
        epsilon: n.epsilon,
      });
      p.kernel = { shape: p.kernel.shape, values: folded.kernel };
      p.bias = { shape: [folded.bias.length], values: folded.bias };
      bypass(g, n);
    }
  }

  for (const n of [...g.nodes]) {
    if (n.op !== 'activation' || (n.activation !== 'relu' && n.activation !== 'relu6')) continue;
    const p = g.nodes.find((m) => m.name === n.inputs[0]);
    if (!p || !(isWeighted(p) || p.op === 'add') || p.activation !== 'linear' || consumers(g).get(p.name)!.length !== 1) continue;
    p.activation = n.activation;
    bypass(g, n);
  }
  return g;
}

/**
 * The graph without a softmax at its output (fused into the last op, or an activation node of
 * its own), for full-integer quantization. Keras classifiers and the TFLite converter's float
 * files usually end in one. It never changes which class wins (softmax is monotonic), and without
 * it calibration sees the logits, whose range the int8 output needs; the softmax's own int8 form
 * (TFLite's fixed 1/256 output scale and lookup-table kernel) has no counterpart in the studio's
 * int8 reference, so the int8 model outputs the class scores before it. A softmax anywhere else
 * is left in place (and refused by the int8 export by name).
 */
export function withoutFinalSoftmax(graph: Graph): Graph {
  const last = graph.nodes.find((n) => n.name === graph.output);
  if (!last || !('activation' in last) || last.activation !== 'softmax') return graph;
  const g = cloneGraph(graph);
  const n = g.nodes.find((m) => m.name === g.output)!;
  if (n.op === 'activation') bypass(g, n);
  else if ('activation' in n) n.activation = 'linear';
  return g;
}
