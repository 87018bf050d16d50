/**
 * Quantizes an inference graph (after prepareForInference) to the TFLite int8 specification:
 * - kernels symmetric int8 [-127, 127]: per output channel for conv and depthwise, per tensor for
 *   dense (as TFLite's FULLY_CONNECTED), or per tensor everywhere when asked;
 * - activations asymmetric int8 per tensor, from calibrated ranges;
 * - bias int32 with scale = input scale x weight scale.
 * Ops that an int8 runtime executes without requantizing (max-pool, average-pool, flatten/reshape)
 * output with their input's parameters, as TFLite requires of them.
 *
 * Modes: 'int8' (full integer), 'weight-int8' (dynamic range: int8 kernels, float activations and
 * float bias, as the TFLite converter's default optimization), 'float16' (every weight rounded to
 * half precision).
 */
import type { Graph, GraphNode } from '../graph/ir';
import { isWeighted } from '../graph/ir';
import { asymmetricParams, perChannelSymmetric, type QuantParams, quantizeBias, quantizeTensor, symmetricParams } from './affine';
import type { Range } from './calibrate';
import { toFloat16Values } from './float16';

import type { Granularity, QuantMode } from '../choices/quantize';
export type { Granularity, QuantMode };

export interface QuantizedWeights {
  kernel: Int8Array;
  /** One scale per output channel (per-channel) or a single one. */
  kernelScales: number[];
  /** int32 bias (full integer only). */
  bias?: Int32Array;
  /** Scale of the input activation the bias is expressed in. */
  inputScale?: number;
}

export interface QuantizedModel {
  mode: QuantMode;
  granularity: Granularity;
  /** The float inference graph the quantization was computed from (BN folded, activations fused). */
  graph: Graph;
  /** Per weighted node, int8 modes only. */
  weights: Record<string, QuantizedWeights>;
  /** Output quantization of every node, full integer only. */
  activations: Record<string, QuantParams>;
}

/** Ops whose int8 output reuses the input's parameters. */
export function inheritsInputParams(n: GraphNode): boolean {
  return n.op === 'maxpool' || n.op === 'avgpool' || n.op === 'flatten' || n.op === 'dropout';
}

export function outputChannels(n: GraphNode & { kernel: { shape: number[] } }): number {
  const s = n.kernel.shape;
  return n.op === 'depthwise' ? s[2] * s[3] : s[s.length - 1];
}

export function kernelParams(n: GraphNode & { kernel: { shape: number[]; values: Float32Array } }, granularity: Granularity): QuantParams[] {
  if (granularity === 'per-tensor' || n.op === 'dense') {
    let m = 0;
    for (const v of n.kernel.values) m = Math.max(m, Math.abs(v));
    return [symmetricParams(m)];
  }
  return perChannelSymmetric(n.kernel.values, outputChannels(n));
}

/** Output parameters of every node from calibrated ranges (full integer). */
export function activationParams(g: Graph, ranges: Record<string, Range>): Record<string, QuantParams> {
  const out: Record<string, QuantParams> = {};
  for (const n of g.nodes) {
    if (inheritsInputParams(n)) out[n.name] = out[n.inputs[0]];
    else {
      const r = ranges[n.name];
      if (!r) throw new Error(`no calibrated range for node "${n.name}"`);
      out[n.name] = asymmetricParams(r.min, r.max);
    }
  }
  return out;
}

/** The nodes whose output range calibration must observe. */
export function calibratedNodes(g: Graph): string[] {
  return g.nodes.filter((n) => !inheritsInputParams(n)).map((n) => n.name);
}

export function quantizeGraph(g: Graph, mode: QuantMode, granularity: Granularity, ranges: Record<string, Range> = {}): QuantizedModel {
  if (mode === 'float16') return { mode, granularity, graph: g, weights: {}, activations: {} };
  const activations = mode === 'int8' ? activationParams(g, ranges) : {};
  const weights: Record<string, QuantizedWeights> = {};
  for (const n of g.nodes) {
    if (!isWeighted(n)) continue;
    const params = kernelParams(n, granularity);
    const kernelScales = params.map((p) => p.scale);
    const q: QuantizedWeights = { kernel: quantizeTensor(n.kernel.values, params), kernelScales };
    if (mode === 'int8') {
      const inputScale = activations[n.inputs[0]].scale;
      q.inputScale = inputScale;
      q.bias = quantizeBias(n.bias?.values ?? new Float32Array(outputChannels(n)), inputScale, kernelScales);
    }
    weights[n.name] = q;
  }
  return { mode, granularity, graph: g, weights, activations };
}

/** The float values a runtime's kernels effectively use for a node's weight. */
export function effectiveWeight(q: QuantizedModel, n: GraphNode, key: string, values: Float32Array): Float32Array {
  if (q.mode === 'float16') return toFloat16Values(values);
  const w = q.weights[n.name];
  if (!w) return values;
  if (key === 'kernel' || key === 'depthwise_kernel') {
    const out = new Float32Array(w.kernel.length);
    const c = w.kernelScales.length;
    for (let i = 0; i < out.length; i++) out[i] = w.kernel[i] * w.kernelScales[i % c];
    return out;
  }
  if (key === 'bias' && w.bias) {
    const out = new Float32Array(w.bias.length);
    const c = w.kernelScales.length;
    for (let i = 0; i < out.length; i++) out[i] = w.bias[i] * w.inputScale! * w.kernelScales[c === 1 ? 0 : i];
    return out;
  }
  return values;
}
