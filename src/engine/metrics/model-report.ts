/**
 * One model's measurements as the studio reports them, before or after compression: accuracy
 * and recall on the test records, latency and throughput on the active backend, size in every
 * encoding, dense and effective MACs, and peak activation memory. Sizes, parameters, MACs and
 * memory are those of the inference graph (BatchNorm folded), which is what a runtime holds.
 */
import type { Graph } from '../graph/ir';
import { isWeighted } from '../graph/ir';
import { activationMemory, graphCost } from '../graph/shapes';
import type { QuantizedModel } from '../quantize/quantize-graph';
import type { ClassificationMetrics, LatencyStats } from '../types';
import type { Throughput } from './latency';
import { float16Sizes, sizeReport, type SizeReport, type WeightTensor } from './size';

import { hasInt8Weights, type ModelFormat } from '../choices/quantize';
export type { ModelFormat };

export interface ModelSize extends SizeReport {
  float16Bytes: number;
  /** Bytes of the weights in the model's own format (float32, int8 + scales + int32 bias, or float16). */
  deployedBytes: number;
  /**
   * The model's own format gzip'd (level 9) and bitmask-sparse: the int8 encoding for int8 and
   * weight-int8, float16 halves for float16, float32 otherwise. Computed here once: the page, the
   * CLI, the bench, the history and the study all read these two.
   */
  gzipBytes: number;
  sparseBytes: number;
}

export interface ModelReport {
  format: ModelFormat;
  metrics: ClassificationMetrics;
  latency: LatencyStats;
  throughput: Throughput;
  size: ModelSize;
  params: number;
  nonZeroParams: number;
  macs: number;
  effectiveMacs: number;
  activationMemory: { peakFloat32Bytes: number; peakInt8Bytes: number; peakAt: string };
  /** Which kernels the latency was measured with; tfjs has no int8 kernels. */
  latencyNote: string;
}

/** The weight tensors of an inference graph as its format stores them. */
export function weightTensors(g: Graph, q?: QuantizedModel): WeightTensor[] {
  const out: WeightTensor[] = [];
  for (const n of g.nodes) {
    if (isWeighted(n)) {
      const qw = q?.weights[n.name];
      out.push({ name: `${n.name}/kernel`, values: n.kernel.values, int8: qw?.kernel, scales: qw?.kernelScales.length });
      if (n.bias) out.push({ name: `${n.name}/bias`, values: n.bias.values, isBias: true });
    } else if (n.op === 'batchnorm') {
      for (const [k, w] of [
        ['gamma', n.gamma],
        ['beta', n.beta],
        ['mean', n.mean],
        ['variance', n.variance],
      ] as const)
        out.push({ name: `${n.name}/${k}`, values: w.values });
    }
  }
  return out;
}

/** `gzip: false`: the gzip sizes are left NaN (size.ts sizeReport), for a preview. */
export function staticReport(g: Graph, format: ModelFormat, q?: QuantizedModel, opts: { gzip?: boolean } = {}): Pick<ModelReport, 'size' | 'params' | 'nonZeroParams' | 'macs' | 'effectiveMacs' | 'activationMemory'> {
  const cost = graphCost(g);
  const tensors = weightTensors(g, hasInt8Weights(format) ? q : undefined);
  const base = sizeReport(tensors, opts);
  const float16Bytes = base.params * 2;
  const own = ownEncoding(format, base, tensors, opts.gzip !== false);
  const mem = activationMemory(g);
  return {
    size: { ...base, float16Bytes, ...own },
    params: cost.params,
    nonZeroParams: cost.nonZeroParams,
    macs: cost.macs,
    effectiveMacs: cost.effectiveMacs,
    activationMemory: { peakFloat32Bytes: mem.peakFloat32Bytes, peakInt8Bytes: mem.peakInt8Bytes, peakAt: mem.peakAt },
  };
}

/** Dense, gzip and sparse bytes of the format the report names. */
function ownEncoding(format: ModelFormat, base: SizeReport, tensors: WeightTensor[], gzip: boolean): Pick<ModelSize, 'deployedBytes' | 'gzipBytes' | 'sparseBytes'> {
  switch (format) {
    case 'float32':
      return { deployedBytes: base.float32Bytes, gzipBytes: base.gzipFloat32Bytes, sparseBytes: base.sparseFloat32Bytes };
    case 'float16': {
      const f16 = float16Sizes(tensors);
      return { deployedBytes: base.params * 2, gzipBytes: gzip ? f16.gzipBytes : Number.NaN, sparseBytes: f16.sparseBytes };
    }
    case 'int8':
    case 'weight-int8':
      return { deployedBytes: base.int8Bytes, gzipBytes: base.gzipInt8Bytes, sparseBytes: base.sparseInt8Bytes };
  }
}

export function latencyNote(format: ModelFormat, backend: string): string {
  if (format === 'float32') return `tfjs ${backend} float32 kernels`;
  return `tfjs ${backend} float32 kernels running the ${format} weights dequantized (tfjs has no int8 kernels, so this is not an int8 runtime's latency)`;
}
