/**
 * Static analysis of a Graph: output shapes, parameters, MACs (dense and effective, i.e. counting
 * only non-zero weights), and the peak activation memory an inference runtime needs.
 */
import { StudioError } from '../errors';
import { type Graph, type GraphNode, isWeighted, nodeWeights } from './ir';
import { countNonZeros } from '../metrics/non-zeros';

export type Shape = number[]; // without the batch axis

function convOut(size: number, k: number, s: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

function outputShape(n: GraphNode, ins: Shape[]): Shape {
  const x = ins[0];
  switch (n.op) {
    case 'input':
      return [...n.shape];
    case 'conv2d': {
      const [kh, kw, , cout] = n.kernel.shape;
      return [convOut(x[0], kh, n.strides[0], n.padding), convOut(x[1], kw, n.strides[1], n.padding), cout];
    }
    case 'depthwise': {
      const [kh, kw, cin, mult] = n.kernel.shape;
      return [convOut(x[0], kh, n.strides[0], n.padding), convOut(x[1], kw, n.strides[1], n.padding), cin * mult];
    }
    case 'dense':
      return [n.kernel.shape[1]];
    case 'maxpool':
    case 'avgpool':
      return [convOut(x[0], n.pool[0], n.strides[0], n.padding), convOut(x[1], n.pool[1], n.strides[1], n.padding), x[2]];
    case 'gap':
      return [x[2]];
    case 'flatten':
      return [x.reduce((a, b) => a * b, 1)];
    case 'add':
      for (const s of ins) {
        if (s.join() !== x.join()) throw new StudioError('shape-mismatch', `Add "${n.name}" joins tensors of shapes [${x.join(',')}] and [${s.join(',')}].`, { node: n.name });
      }
      return [...x];
    default:
      return [...x];
  }
}

export function inferShapes(g: Graph): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const n of g.nodes) {
    const ins = n.inputs.map((i) => {
      const s = shapes.get(i);
      if (!s) throw new StudioError('bad-model', `Node "${n.name}" reads "${i}", which is not computed before it.`, { node: n.name });
      return s;
    });
    shapes.set(n.name, outputShape(n, ins));
  }
  return shapes;
}

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

export interface NodeCost {
  name: string;
  op: GraphNode['op'];
  outputShape: Shape;
  params: number;
  nonZeroParams: number;
  macs: number;
  /** MACs whose weight is non-zero: what a sparse kernel would execute. */
  effectiveMacs: number;
}

export interface GraphCost {
  params: number;
  nonZeroParams: number;
  macs: number;
  effectiveMacs: number;
  nodes: NodeCost[];
}

export function graphCost(g: Graph): GraphCost {
  const shapes = inferShapes(g);
  const nodes = g.nodes.map((n): NodeCost => {
    const ws = nodeWeights(n).map(([, w]) => w);
    const params = ws.reduce((a, w) => a + w.values.length, 0);
    const nonZeroParams = ws.reduce((a, w) => a + countNonZeros(w.values), 0);
    const out = shapes.get(n.name)!;
    let macs = 0;
    let effectiveMacs = 0;
    if (isWeighted(n)) {
      // Each kernel element is used once per output position (per output pixel for convs).
      const positions = n.op === 'dense' ? 1 : out[0] * out[1];
      macs = positions * n.kernel.values.length;
      effectiveMacs = positions * countNonZeros(n.kernel.values);
    }
    return { name: n.name, op: n.op, outputShape: out, params, nonZeroParams, macs, effectiveMacs };
  });
  const sum = (k: 'params' | 'nonZeroParams' | 'macs' | 'effectiveMacs') => nodes.reduce((a, c) => a + c[k], 0);
  return { params: sum('params'), nonZeroParams: sum('nonZeroParams'), macs: sum('macs'), effectiveMacs: sum('effectiveMacs'), nodes };
}

export interface ActivationMemory {
  /** Largest total of simultaneously live activation elements, batch 1. */
  peakElements: number;
  peakFloat32Bytes: number;
  peakInt8Bytes: number;
  /** The node during whose execution the peak occurs. */
  peakAt: string;
  /** Live elements while each node runs, in execution order. */
  liveElements: Array<{ name: string; elements: number }>;
}

/**
 * Peak activation memory for executing the nodes in order at batch 1: while a node runs, its
 * inputs, its output and every earlier output that a later node still reads are live. Identity
 * nodes (dropout, flatten, and activations a runtime fuses) alias their input in a real runtime;
 * here they are counted as separate tensors only when they are not in-place, which keeps the
 * estimate an upper bound on the TFLite Micro arena for the same order, without its alignment
 * padding or scratch buffers.
 */
export function activationMemory(g: Graph): ActivationMemory {
  const shapes = inferShapes(g);
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  lastUse.set(g.output, g.nodes.length);
  const aliases = (n: GraphNode) => n.op === 'dropout' || n.op === 'flatten';
  const live = new Map<string, number>();
  const liveElements: ActivationMemory['liveElements'] = [];
  let peak = 0;
  let peakAt = g.nodes[0]?.name ?? '';
  g.nodes.forEach((n, i) => {
    if (!aliases(n)) live.set(n.name, size(shapes.get(n.name)!));
    const total = [...live.values()].reduce((a, b) => a + b, 0);
    liveElements.push({ name: n.name, elements: total });
    if (total > peak) {
      peak = total;
      peakAt = n.name;
    }
    for (const [name] of live) if ((lastUse.get(name) ?? -1) <= i && name !== n.name) live.delete(name);
    if ((lastUse.get(n.name) ?? -1) <= i) live.delete(n.name);
    // An aliasing node hands its input's lifetime on to its own readers.
    if (aliases(n) && n.inputs[0]) {
      const src = n.inputs[0];
      if (!live.has(src) && (lastUse.get(n.name) ?? -1) > i) live.set(src, size(shapes.get(src)!));
      lastUse.set(src, Math.max(lastUse.get(src) ?? -1, lastUse.get(n.name) ?? -1));
    }
  });
  return { peakElements: peak, peakFloat32Bytes: peak * 4, peakInt8Bytes: peak, peakAt, liveElements };
}
