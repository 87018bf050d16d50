/**
 * The .tflite artifacts the studio hands out: bytes plus a summary of what is inside them (size,
 * gzip size, operators, tensor types, weight zeros), ready to cross the worker boundary.
 *
 * TFLite stores every weight densely: the zeros of unstructured pruning take as much flash as any
 * other weight (TFLite's sparse tensor format is not used by its int8 CPU kernels nor by TFLite
 * Micro). Structured pruning removes whole filters, so its models export smaller. The gzip size
 * shows what the zeros are worth on a disk or over the air.
 */
import { gzipSync } from 'fflate';
import type { Graph } from '../../graph/ir';
import type { QuantizedModel } from '../../quantize/quantize-graph';
import { float32TfliteModel, int8TfliteModel, type TfliteExportOptions, type TfliteIo } from './from-graph';
import type { TfliteModel } from './model';
import { BUILTIN_OPERATOR_NAMES, TensorType } from './schema';
import { writeTflite } from './writer';

export interface TfliteSummary {
  sizeBytes: number;
  /** gzip level 9 of the whole file. */
  gzipBytes: number;
  /** Bytes of constant data (weights, biases, shapes) in the file. */
  constantBytes: number;
  /** Kernel weight elements and how many of them are zero (stored all the same). */
  kernelElements: number;
  zeroKernelElements: number;
  operators: Record<string, number>;
  tensors: number;
  input: { shape: number[]; type: 'float32' | 'int8'; scale?: number; zeroPoint?: number };
  output: { shape: number[]; type: 'float32' | 'int8'; scale?: number; zeroPoint?: number };
  /** Why the file is not smaller, where unstructured sparsity leaves zeros in it. */
  note?: string;
}

export interface TfliteArtifact {
  kind: 'int8' | 'float32';
  io: TfliteIo;
  bytes: Uint8Array;
  summary: TfliteSummary;
}

function tensorInfo(m: TfliteModel, i: number): TfliteSummary['input'] {
  const t = m.tensors[i];
  const q = t.quantization;
  return { shape: t.shape, type: t.type === TensorType.INT8 ? 'int8' : 'float32', ...(q ? { scale: q.scale[0], zeroPoint: q.zeroPoint[0] } : {}) };
}

export function summarize(m: TfliteModel, bytes: Uint8Array): TfliteSummary {
  const operators: Record<string, number> = {};
  for (const o of m.operators) {
    const name = BUILTIN_OPERATOR_NAMES[o.op];
    operators[name] = (operators[name] ?? 0) + 1;
  }
  let kernelElements = 0;
  let zeroKernelElements = 0;
  for (const t of m.tensors) {
    if (!t.name.endsWith('/kernel') || t.buffer === 0) continue;
    const data = m.buffers[t.buffer];
    const values = t.type === TensorType.INT8 ? new Int8Array(data.buffer, data.byteOffset, data.length) : new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    kernelElements += values.length;
    for (let i = 0; i < values.length; i++) if (values[i] === 0) zeroKernelElements++;
  }
  const gzipBytes = gzipSync(bytes, { level: 9 }).length;
  const zeroFraction = kernelElements ? zeroKernelElements / kernelElements : 0;
  const note =
    zeroFraction > 0.05
      ? `${(zeroFraction * 100).toFixed(1)}% of the kernel weights are zero, and TFLite stores them all: the file is as large as a dense model. gzip (${gzipBytes} bytes) shows what the zeros are worth; structured pruning makes the file itself smaller.`
      : undefined;
  return {
    sizeBytes: bytes.length,
    gzipBytes,
    constantBytes: m.buffers.reduce((a, d) => a + d.length, 0),
    kernelElements,
    zeroKernelElements,
    operators,
    tensors: m.tensors.length,
    input: tensorInfo(m, m.inputs[0]),
    output: tensorInfo(m, m.outputs[0]),
    note,
  };
}

/** Full-integer int8 .tflite of a QuantizedModel (mode 'int8'). */
export function exportInt8Tflite(q: QuantizedModel, opts: TfliteExportOptions = {}): TfliteArtifact {
  const m = int8TfliteModel(q, opts);
  const bytes = writeTflite(m);
  return { kind: 'int8', io: opts.io ?? 'float', bytes, summary: summarize(m, bytes) };
}

/** float32 .tflite of an inference graph. */
export function exportFloat32Tflite(g: Graph, opts: TfliteExportOptions = {}): TfliteArtifact {
  const m = float32TfliteModel(g, opts);
  const bytes = writeTflite(m);
  return { kind: 'float32', io: 'float', bytes, summary: summarize(m, bytes) };
}
