/**
 * INT8 quantization parameters and arithmetic per the TFLite int8 specification
 * (https://www.tensorflow.org/lite/performance/quantization_spec):
 * - weights: symmetric, int8 in [-127, 127], zero point 0, per output channel (or per tensor);
 * - activations: asymmetric int8 in [-128, 127] with a zero point, per tensor; the range always
 *   contains 0 so that zero padding is exact;
 * - bias: int32 with scale = input scale x weight scale, zero point 0.
 * real = scale * (q - zeroPoint). Rounding is half away from zero, as TFLite's reference kernels.
 */

export interface QuantParams {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Symmetric weight quantization for a tensor (or one channel) whose largest |w| is maxAbs. */
export function symmetricParams(maxAbs: number): QuantParams {
  // An all-zero channel still needs a positive scale; any value gives q = 0.
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  return { scale, zeroPoint: 0, qmin: -127, qmax: 127 };
}

/** Asymmetric activation quantization covering [min, max] (widened to include 0). */
export function asymmetricParams(min: number, max: number): QuantParams {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  if (hi === lo) return { scale: 1, zeroPoint: 0, qmin: -128, qmax: 127 };
  const scale = (hi - lo) / 255;
  const zeroPoint = clampInt(roundHalfAwayFromZero(-128 - lo / scale), -128, 127);
  return { scale, zeroPoint, qmin: -128, qmax: 127 };
}

export function quantize(x: number, p: QuantParams): number {
  return clampInt(roundHalfAwayFromZero(x / p.scale) + p.zeroPoint, p.qmin, p.qmax);
}

export function dequantize(q: number, p: QuantParams): number {
  return p.scale * (q - p.zeroPoint);
}

/** Quantize-dequantize: what an int8 runtime stores for x. */
export function fakeQuantize(x: number, p: QuantParams): number {
  return dequantize(quantize(x, p), p);
}

/**
 * Per-channel symmetric parameters for a Keras kernel whose output channels are the last axis
 * (conv [kh,kw,cin,cout], dense [in,out]); depthwise [kh,kw,cin,mult] is per cin*mult likewise.
 */
export function perChannelSymmetric(w: ArrayLike<number>, channels: number): QuantParams[] {
  const maxAbs = new Array<number>(channels).fill(0);
  for (let i = 0; i < w.length; i++) {
    const c = i % channels;
    maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
  }
  return maxAbs.map(symmetricParams);
}

export function quantizeTensor(w: ArrayLike<number>, params: QuantParams[]): Int8Array {
  const out = new Int8Array(w.length);
  const channels = params.length;
  for (let i = 0; i < w.length; i++) out[i] = quantize(w[i], params[i % channels]);
  return out;
}

/** Bias as int32 with scale inputScale * weightScale[c] (TFLite), zero point 0. */
export function quantizeBias(bias: ArrayLike<number>, inputScale: number, weightScales: number[]): Int32Array {
  const out = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const s = inputScale * weightScales[weightScales.length === 1 ? 0 : c];
    out[c] = clampInt(roundHalfAwayFromZero(bias[c] / s), -2147483647, 2147483647);
  }
  return out;
}
