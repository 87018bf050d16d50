/**
 * Model surgery for structured pruning: removes a channel group's channels from every weight that
 * indexes them, so the graph becomes a smaller dense graph (not a masked one). Torch-Pruning's
 * pruning functions (prune_conv_out_channels, prune_batchnorm_out_channels, ...) do the same on
 * PyTorch modules; NNI's ModelSpeedup does it after masking.
 *
 * Per Keras layout, for kept channel indices K of a group with C channels:
 *   producer conv2d [kh,kw,cin,C] and dense [in,C]: last axis, and the bias;
 *   BatchNorm: gamma, beta, mean, variance;
 *   depthwise [kh,kw,C,1] (multiplier 1): axis 2, and the bias;
 *   consumer conv2d [kh,kw,C,cout]: axis 2;
 *   consumer dense after Flatten of HxWxC, [H*W*C, out]: rows p*C + c for every position p.
 */
import { StudioError } from '../errors';
import type { Graph, GraphNode, WeightArray } from '../graph/ir';
import type { ChannelGroup } from './channel-groups';

/** The entries `keep` (ascending indices) of `axis`, in a new array. */
export function sliceAxis(w: WeightArray, axis: number, keep: readonly number[]): WeightArray {
  const dim = w.shape[axis];
  const outer = w.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const values = new Float32Array(outer * keep.length * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const k of keep) {
      const from = (o * dim + k) * inner;
      values.set(w.values.subarray(from, from + inner), at);
      at += inner;
    }
  }
  const shape = [...w.shape];
  shape[axis] = keep.length;
  return { shape, values };
}

/** Input rows a dense keeps when it reads `repeat` copies of a C-channel axis, channel-fastest. */
function flattenedRows(channels: number, repeat: number, keep: readonly number[]): number[] {
  const rows: number[] = [];
  for (let p = 0; p < repeat; p++) for (const c of keep) rows.push(p * channels + c);
  return rows;
}

function expectDim(n: GraphNode, w: WeightArray, axis: number, size: number): void {
  if (w.shape[axis] !== size) {
    throw new StudioError('internal', `Structured pruning expected axis ${axis} of "${n.name}" to have ${size} entries, found shape [${w.shape.join(',')}].`, { node: n.name }, 'bug');
  }
}

/** Keeps only channels `keep` (ascending) of `group` in `g`, which is mutated: pass a clone. */
export function keepChannels(g: Graph, group: ChannelGroup, keep: readonly number[]): void {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const C = group.channels;
  const sliceOut = (n: GraphNode, w: WeightArray, axis: number) => {
    expectDim(n, w, axis, C);
    return sliceAxis(w, axis, keep);
  };
  for (const name of group.producers) {
    const n = byName.get(name)!;
    if (n.op !== 'conv2d' && n.op !== 'dense') continue;
    n.kernel = sliceOut(n, n.kernel, n.kernel.shape.length - 1);
    if (n.bias) n.bias = sliceOut(n, n.bias, 0);
  }
  for (const name of group.passthrough) {
    const n = byName.get(name)!;
    if (n.op === 'batchnorm') {
      n.gamma = sliceOut(n, n.gamma, 0);
      n.beta = sliceOut(n, n.beta, 0);
      n.mean = sliceOut(n, n.mean, 0);
      n.variance = sliceOut(n, n.variance, 0);
    } else if (n.op === 'depthwise') {
      n.kernel = sliceOut(n, n.kernel, 2);
      if (n.bias) n.bias = sliceOut(n, n.bias, 0);
    }
  }
  for (const { name, repeat } of group.consumers) {
    const n = byName.get(name)!;
    if (n.op === 'conv2d') {
      n.kernel = sliceOut(n, n.kernel, 2);
    } else if (n.op === 'dense') {
      expectDim(n, n.kernel, 0, C * repeat);
      n.kernel = sliceAxis(n.kernel, 0, repeat === 1 ? keep : flattenedRows(C, repeat, keep));
    }
  }
}
