/**
 * The compression job's per-layer view and its changed predictions: per weighted layer, parameters
 * and channels before and after, the fraction of zero weights, SQNR, and a histogram of the kernel
 * as deployed (int8 layers dequantized) over bins shared with the baseline's.
 */
import { type Graph, isWeighted } from '../../graph/ir';
import type { QuantizedModel } from '../../quantize/quantize-graph';
import type { LayerSqnr } from '../../quantize/sqnr';
import type { BaselineEntry, ImageDataset } from '../../types';
import type { FlippedPrediction, LayerReport } from './types';
import { countNonZeros } from '../../metrics/non-zeros';

const HIST_BINS = 51;
/** The gallery keeps this many changed predictions. */
const MAX_FLIPPED = 64;

function histogram(v: Float32Array, min: number, max: number): number[] {
  const h = new Array<number>(HIST_BINS).fill(0);
  const w = (max - min) / HIST_BINS || 1;
  for (let i = 0; i < v.length; i++) h[Math.min(HIST_BINS - 1, Math.max(0, Math.floor((v[i] - min) / w)))]++;
  return h;
}

function outChannels(shape: number[], op: string): number {
  return op === 'depthwise' ? shape[2] * shape[3] : shape[shape.length - 1];
}

export function kernelSparsity(v: Float32Array): number {
  return v.length ? (v.length - countNonZeros(v)) / v.length : 0;
}

/** 1 - (non-zero kernel weights of `after`) / (kernel weights of `before`): what pruning removed, zeroed or cut. */
export function removedFraction(before: Graph, after: Graph): number {
  let total = 0;
  let kept = 0;
  for (const n of before.nodes) if (isWeighted(n)) total += n.kernel.values.length;
  for (const n of after.nodes) if (isWeighted(n)) kept += n.kernel.values.length * (1 - kernelSparsity(n.kernel.values));
  return total ? 1 - kept / total : 0;
}

/** The dequantized kernel a quantized layer computes with. */
function compileWeights(q: QuantizedModel, name: string): Float32Array | undefined {
  const w = q.weights[name];
  if (!w) return undefined;
  const out = new Float32Array(w.kernel.length);
  const c = w.kernelScales.length;
  for (let i = 0; i < out.length; i++) out[i] = w.kernel[i] * w.kernelScales[i % c];
  return out;
}

/** Per-layer report, by the names of the inference graphs. */
export function layerReports(inf0: Graph, inf1: Graph, q: QuantizedModel | undefined, sqnr: LayerSqnr[]): LayerReport[] {
  const layers: LayerReport[] = [];
  const beforeNodes = new Map(inf0.nodes.map((n) => [n.name, n]));
  for (const n of inf1.nodes) {
    if (!isWeighted(n)) continue;
    const b = beforeNodes.get(n.name);
    const vb = b && isWeighted(b) ? b.kernel.values : n.kernel.values;
    let min = Infinity;
    let max = -Infinity;
    for (const v of [vb, n.kernel.values])
      for (let i = 0; i < v.length; i++) {
        if (v[i] < min) min = v[i];
        if (v[i] > max) max = v[i];
      }
    const deployed = q ? (compileWeights(q, n.name) ?? n.kernel.values) : n.kernel.values;
    const sq = sqnr.find((x) => x.name === n.name);
    layers.push({
      name: n.name,
      op: n.op,
      paramsBefore: b && isWeighted(b) ? b.kernel.values.length + (b.bias?.values.length ?? 0) : 0,
      paramsAfter: n.kernel.values.length + (n.bias?.values.length ?? 0),
      channelsBefore: b && isWeighted(b) ? outChannels(b.kernel.shape, b.op) : 0,
      channelsAfter: outChannels(n.kernel.shape, n.op),
      sparsity: kernelSparsity(n.kernel.values),
      sqnr: sq ? { weightSqnrDb: sq.weightSqnrDb, outputSqnrDb: sq.outputSqnrDb } : undefined,
      histogram: { min, max, before: histogram(vb, min, max), after: histogram(deployed, min, max) },
    });
  }
  return layers;
}

/** The test records whose prediction changed: how many, and the first 64 with their absolute indices. */
export function flippedPredictions(before: Uint8Array, after: Uint8Array, test: ImageDataset, entry: BaselineEntry): { flipped: FlippedPrediction[]; flippedCount: number } {
  const flipped: FlippedPrediction[] = [];
  let flippedCount = 0;
  for (let i = 0; i < test.count; i++) {
    if (before[i] === after[i]) continue;
    flippedCount++;
    if (flipped.length < MAX_FLIPPED) flipped.push({ index: entry.testData.first + i, label: test.labels[i], before: before[i], after: after[i] });
  }
  return { flipped, flippedCount };
}
