/**
 * Model size in the encodings an embedded engineer cares about, from the raw weight arrays:
 * - float32 dense: 4 bytes per parameter;
 * - int8: 1 byte per weight element of quantized kernels, 4 bytes per int32 bias and per float32
 *   quantization scale; tensors that stay float (BatchNorm before folding, etc.) at 4 bytes;
 * - gzip: the serialized weights (int8 where quantized) compressed with gzip level 9, which shows
 *   what the zeros of unstructured pruning are worth on a disk or over the air;
 * - sparse: a bitmask of non-zeros (1 bit per element) plus the non-zero values, per tensor;
 * - float16 (float16Sizes): every value as an IEEE half, gzip'd and sparse alike.
 */
import { gzipSync } from 'fflate';
import { toFloat16Bits } from '../quantize/float16';
import { countNonZeros } from './non-zeros';

export interface WeightTensor {
  name: string;
  values: Float32Array;
  /** Quantized int8 values where the tensor is an int8 kernel. */
  int8?: Int8Array;
  /** Number of float32 scales (per-channel) stored with an int8 tensor. */
  scales?: number;
  /** Bias tensors are stored as int32 in an int8 model. */
  isBias?: boolean;
}

export interface SizeReport {
  params: number;
  nonZeroParams: number;
  float32Bytes: number;
  int8Bytes: number;
  gzipFloat32Bytes: number;
  gzipInt8Bytes: number;
  sparseFloat32Bytes: number;
  sparseInt8Bytes: number;
}

/** Bytes of one tensor in the int8 model. */
function int8TensorBytes(t: WeightTensor): number {
  if (t.int8) return t.int8.length + 4 * (t.scales ?? 1);
  return 4 * t.values.length; // int32 bias or float tensor
}

/**
 * `gzip: false` leaves the two gzip sizes NaN: gzip at level 9 is by far the slowest part (seconds
 * for MobileNetV1 1.0), and a preview (jobs/preview.ts) reports the other, exact sizes without it.
 */
export function sizeReport(tensors: WeightTensor[], opts: { gzip?: boolean } = {}): SizeReport {
  const gzip = opts.gzip ?? true;
  const params = tensors.reduce((a, t) => a + t.values.length, 0);
  // Counted once per tensor (each is read by three figures; MobileNetV1 1.0 has 3.2 M weights).
  const valuesNonZero = tensors.map((t) => countNonZeros(t.values));
  const nonZeroParams = valuesNonZero.reduce((a, n) => a + n, 0);
  // The files gzip would read, put together only when gzip runs (a preview skips both).
  const float32File = (): Uint8Array => {
    const f32 = new Float32Array(params);
    let at = 0;
    for (const t of tensors) {
      f32.set(t.values, at);
      at += t.values.length;
    }
    return new Uint8Array(f32.buffer);
  };
  const int8File = (): Uint8Array => {
    const parts = tensors.map((t) => (t.int8 ? new Uint8Array(t.int8.buffer, t.int8.byteOffset, t.int8.length) : new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength)));
    const blob = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      blob.set(p, at);
      at += p.length;
    }
    return blob;
  };
  const sparseBytes = (int8: boolean) =>
    tensors.reduce((a, t, k) => {
      const q = int8 && t.int8;
      return a + Math.ceil(t.values.length / 8) + (q ? countNonZeros(t.int8!) + 4 * (t.scales ?? 1) : valuesNonZero[k] * 4);
    }, 0);
  const gzipFloat32Bytes = gzip ? gzipSync(float32File(), { level: 9, mtime: 0 }).length : Number.NaN;
  return {
    params,
    nonZeroParams,
    float32Bytes: params * 4,
    int8Bytes: tensors.reduce((a, t) => a + int8TensorBytes(t), 0),
    gzipFloat32Bytes,
    // Nothing quantized: the int8 file holds the same bytes as the float32 one (a second gzip of a
    // float MobileNetV1 1.0 took 1.5 s).
    gzipInt8Bytes: !gzip ? Number.NaN : tensors.some((t) => t.int8) ? gzipSync(int8File(), { level: 9, mtime: 0 }).length : gzipFloat32Bytes,
    sparseFloat32Bytes: sparseBytes(false),
    sparseInt8Bytes: sparseBytes(true),
  };
}

/** Gzip and sparse bytes of the tensors stored as float16 halves (2 bytes per value). */
export function float16Sizes(tensors: WeightTensor[]): { gzipBytes: number; sparseBytes: number } {
  const params = tensors.reduce((a, t) => a + t.values.length, 0);
  const halves = new Uint16Array(params);
  let at = 0;
  let sparseBytes = 0;
  for (const t of tensors) {
    const h = toFloat16Bits(t.values);
    halves.set(h, at);
    at += h.length;
    // A value that rounds to ±0 in half precision is stored as a zero, so the bitmask skips it.
    sparseBytes += Math.ceil(t.values.length / 8) + 2 * h.reduce((n, b) => n + ((b & 0x7fff) !== 0 ? 1 : 0), 0);
  }
  return { gzipBytes: gzipSync(new Uint8Array(halves.buffer), { level: 9, mtime: 0 }).length, sparseBytes };
}
