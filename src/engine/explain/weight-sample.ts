/**
 * One layer of a model under a recipe, small enough to draw: a grid of its kernel weights (input
 * channels x output channels at the kernel's centre tap), which of them the recipe's pruning keeps,
 * which a 2:4 pattern would keep, and one output channel's weights on the int8 grid. Every number
 * comes from the functions the compression job uses: unstructuredMasks / structuredPrune for the
 * masks, nmMask for 2:4, prepareForInference (BatchNorm folded) and quantizeGraph for int8.
 */
import { StudioError } from '../errors';
import { type Conv2DNode, type Graph, isWeighted } from '../graph/ir';
import { prepareForInference } from '../graph/rewrite';
import type { PruneSettings } from '../jobs/compress-settings';
import { findChannelGroups } from '../prune/channel-groups';
import { nmMask } from '../prune/magnitude';
import { PRUNERS } from '../prune/methods/registry';
import type { PruneContext } from '../prune/methods/pruner';
import { sharedPrune } from '../prune/methods/shared-outcome';
import type { Memo } from '../jobs/compress/types';
import type { StructuredPruneResult } from '../prune/structured';
import { prunableNodes } from '../prune/unstructured';
import { pruneMethod } from '../choices/prune-methods';
import { dequantize, symmetricParams } from '../quantize/affine';
import { quantizeGraph, type Granularity } from '../quantize/quantize-graph';

export interface WeightSampleOptions {
  prune: PruneSettings;
  granularity: Granularity;
  /** A conv2d layer by name (default: the first prunable conv2d with at least 8 input channels). */
  layer?: string;
  /** Grid size: input channels (rows) and output channels (columns); default 8 x 6. */
  rows?: number;
  cols?: number;
}

export interface Int8Line {
  /** The output channel (original index) whose weights are shown. */
  channel: number;
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
  /** The grid rows of this channel that the pruned model still has (original input channels). */
  inputChannels: number[];
  /** Their float values as quantized: pruned, BatchNorm folded. */
  values: number[];
  /** value / scale + zero point: where each value falls between the grid's integer levels. */
  positions: number[];
  /** The int8 levels they round to, and those levels' real values (scale x (q - zero point)). */
  q: number[];
  dequantized: number[];
}

export interface WeightSample {
  layer: string;
  /** Keras kernel shape [kh, kw, cin, cout]. */
  shape: number[];
  /** The tap [ky, kx] the grid shows. */
  tap: [number, number];
  inputChannels: number[];
  outputChannels: number[];
  /** rows x cols, row-major: the weights as trained (before pruning and folding). */
  weights: number[];
  /** 1 kept, 0 pruned, by the recipe's pruning; all 1 without pruning. */
  mask: number[];
  /** 1 kept, 0 pruned by 2:4 sparsity along the input channels (groups of 4 consecutive rows). */
  nm: number[];
  /** Fraction of this layer's whole kernel the recipe prunes (zeroed, or cut out by structured pruning). */
  layerSparsity: number;
  /** Whether the recipe prunes this layer at all. */
  pruned: boolean;
  /** One output channel on the int8 grid; absent if structured pruning removed every shown channel. */
  int8?: Int8Line;
}

function pickLayer(g: Graph, s: WeightSampleOptions): Conv2DNode {
  const convs = g.nodes.filter((n): n is Conv2DNode => n.op === 'conv2d');
  if (s.layer) {
    const n = convs.find((c) => c.name === s.layer);
    if (!n) throw new StudioError('bad-settings', `The layer "${s.layer}" is not a conv2d layer of this model.`, { layer: s.layer });
    return n;
  }
  const p = s.prune;
  const pruned = new Set(prunableNodes(g, { kind: 'per-layer', sparsity: p.sparsity, layerKinds: p.layerKinds, spareFirstLast: p.spareFirstLast }).map((n) => n.name));
  const wide = (n: Conv2DNode) => n.kernel.shape[2] >= 8;
  const n = convs.find((c) => wide(c) && pruned.has(c.name)) ?? convs.find(wide) ?? convs[0];
  if (!n) throw new StudioError('bad-model', 'The model has no conv2d layer to draw.', {});
  return n;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The picture of `s`'s recipe on `g0`. `ctx` carries the calibration images a reconstruction
 * method needs (its table entry's needsCalibrationData); the pruning is the method's own pruner,
 * or with `shared` (the worker's memo) the preview's pruning of the same recipe when it is the last
 * one made (prune/methods/shared-outcome.ts).
 */
export async function weightSample(g0: Graph, s: WeightSampleOptions, ctx: PruneContext = {}, shared?: Memo): Promise<WeightSample> {
  const node = pickLayer(g0, s);
  const [kh, kw, cin, cout] = node.kernel.shape;
  const tap: [number, number] = [Math.floor(kh / 2), Math.floor(kw / 2)];
  const rows = range(Math.min(s.rows ?? 8, cin));
  const cols = range(Math.min(s.cols ?? 6, cout));
  const at = (ci: number, co: number, c = cin, o = cout) => ((tap[0] * kw + tap[1]) * c + ci) * o + co;
  const w = node.kernel.values;
  const grid = <T>(f: (ci: number, co: number) => T) => rows.flatMap((ci) => cols.map((co) => f(ci, co)));

  // The recipe's pruning, and the graph it leaves.
  const p = s.prune;
  let cell = (_ci: number, _co: number) => 1;
  let layerSparsity = 0;
  let keptIn = range(cin);
  let keptOut = range(cout);
  let prunesLayer = false;
  // Pruned up to the drawn layer only: the layers after it change nothing drawn here.
  const upTo = { ...ctx, upTo: node.name };
  const out = shared ? await sharedPrune(shared, g0, p, upTo) : await PRUNERS[p.method].prune(g0, p, upTo);
  const pruned = out.graph;
  const m = out.masks?.get(node.name);
  if (m) {
    prunesLayer = true;
    cell = (ci, co) => m[at(ci, co)];
    layerSparsity = m.reduce((z, v) => z + (v ? 0 : 1), 0) / m.length;
  } else if (pruneMethod(p.method).structured) {
    const removed = out.detail.groups as StructuredPruneResult['removed'];
    const groups = findChannelGroups(g0);
    const keptOf = (producers: string[] | undefined) => removed.find((x) => producers && x.group.join() === producers.join())?.keptChannels;
    keptOut = keptOf(groups.find((gr) => gr.producers.includes(node.name))?.producers) ?? keptOut;
    keptIn = keptOf(groups.find((gr) => gr.consumers.some((c) => c.name === node.name))?.producers) ?? keptIn;
    const after = pruned.nodes.find((n) => n.name === node.name);
    prunesLayer = keptOut.length < cout || keptIn.length < cin;
    layerSparsity = after && isWeighted(after) ? 1 - after.kernel.values.length / w.length : 1;
    const inSet = new Set(keptIn);
    const outSet = new Set(keptOut);
    cell = (ci, co) => (inSet.has(ci) && outSet.has(co) ? 1 : 0);
  }

  // 2:4 along the input channels, on the unpruned kernel.
  const nm = nmMask(w, node.kernel.shape, 2, 4);

  // One output channel on the int8 grid of the model as it would be quantized.
  const inf = prepareForInference(pruned);
  const q = quantizeGraph(inf, 'weight-int8', s.granularity);
  const qn = inf.nodes.find((n) => n.name === node.name);
  const qw = q.weights[node.name];
  let int8: Int8Line | undefined;
  const channel = cols.find((co) => keptOut.includes(co));
  if (qn && isWeighted(qn) && qw && channel !== undefined) {
    const [, , cin2, cout2] = qn.kernel.shape;
    const co2 = keptOut.indexOf(channel);
    const shownIn = rows.filter((ci) => keptIn.includes(ci));
    const idx = shownIn.map((ci) => at(keptIn.indexOf(ci), co2, cin2, cout2));
    // quantizeGraph's weight parameters are symmetricParams': zero point and range do not depend on the scale.
    const params = { ...symmetricParams(1), scale: qw.kernelScales.length === 1 ? qw.kernelScales[0] : qw.kernelScales[co2] };
    const qs = idx.map((i) => qw.kernel[i]);
    int8 = {
      channel,
      scale: params.scale,
      zeroPoint: params.zeroPoint,
      qmin: params.qmin,
      qmax: params.qmax,
      inputChannels: shownIn,
      values: idx.map((i) => qn.kernel.values[i]),
      positions: idx.map((i) => qn.kernel.values[i] / params.scale + params.zeroPoint),
      q: qs,
      dequantized: qs.map((v) => dequantize(v, params)),
    };
  }

  return {
    layer: node.name,
    shape: [...node.kernel.shape],
    tap,
    inputChannels: rows,
    outputChannels: cols,
    weights: grid((ci, co) => w[at(ci, co)]),
    mask: grid(cell),
    nm: grid((ci, co) => nm[at(ci, co)]),
    layerSparsity,
    pruned: prunesLayer,
    int8,
  };
}
