/**
 * An independent integer reference for int8 inference, computed as TFLite's reference kernels
 * compute it, to check the engine's simulated int8 inference (simulate.ts) against. Pure integer
 * arithmetic on Int8Array/Int32Array; floating point appears only where TFLite itself uses it, when
 * it precomputes multipliers and activation ranges from the float32 scales in the model file.
 * Speed does not matter: it runs on small test tensors (the 64-bit products use BigInt).
 *
 * Upstream sources (tensorflow/tensorflow, tensorflow/lite/kernels/...), re-implemented here:
 * - internal/quantization_util.cc: QuantizeMultiplier;
 * - internal/common.h + gemmlowp fixedpoint.h: MultiplyByQuantizedMultiplier,
 *   SaturatingRoundingDoublingHighMul, RoundingDivideByPOT (the default double-rounding build,
 *   not TFLITE_SINGLE_ROUNDING);
 * - kernel_util.cc: CalculateActivationRangeQuantized, PopulateConvolutionQuantizationParams;
 * - internal/reference/integer_ops/conv.h (ConvPerChannel), depthwise_conv.h
 *   (DepthwiseConvPerChannel), fully_connected.h, add.h (+ add.cc Prepare), pooling.h, mean.h
 *   (+ reduce.cc PrepareMeanOrSum);
 * - padding.h: ComputePaddingHeightWidth.
 * Layouts are the engine's (Keras): NHWC, conv kernel [kh,kw,cin,cout], depthwise
 * [kh,kw,cin,mult], dense [in,out]; TFLite stores kernels output-channel first, which changes
 * only the indexing.
 */
import type { GraphNode, Padding } from '../graph/ir';
import type { QuantizedModel } from './quantize-graph';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** An int8 tensor with its per-tensor affine parameters: real = scale * (q - zeroPoint). */
export interface QTensor {
  data: Int8Array;
  /** NHWC [n,h,w,c] or [n,features]. */
  shape: number[];
  scale: number;
  zeroPoint: number;
}

export interface OutputQuant {
  scale: number;
  zeroPoint: number;
}

export type FusedActivation = 'linear' | 'relu' | 'relu6';

function checkInt32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) throw new Error(`int8 reference: ${what} ${v} is outside int32 (TFLite would overflow)`);
  return v;
}

/** C++'s int32 `a / b` (truncates toward zero); exact for |a| < 2^53. */
function divTrunc(a: number, b: number): number {
  return Math.trunc(a / b);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// ---------------------------------------------------------------- fixed-point primitives

/**
 * QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier an int32 in [2^30, 2^31)
 * (a Q0.31 fraction in [0.5, 1)). frexp splits real into q * 2^shift with q in [0.5, 1);
 * q * 2^31 rounds half away from zero, and a round-up to 2^31 is renormalised. A shift below -31
 * would shift every bit out, so TFLite flushes such tiny multipliers to zero.
 */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  if (!Number.isFinite(real)) throw new Error(`int8 reference: multiplier ${real} is not finite`);
  const a = Math.abs(real);
  let shift = Math.floor(Math.log2(a)) + 1;
  let q = a / Math.pow(2, shift); // exact: division by a power of two
  while (q >= 1) {
    q /= 2;
    shift++;
  }
  while (q < 0.5) {
    q *= 2;
    shift--;
  }
  let fixed = Math.round(q * 2147483648); // q*2^31 >= 2^30 > 0: Math.round is half away from zero here
  if (fixed === 2147483648) {
    fixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: real < 0 ? -fixed : fixed, shift };
}

/** gemmlowp: the high 32 bits of 2*a*b, rounded (nudge +-2^30, then C++'s truncating division). */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C++
}

/** gemmlowp: x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31]. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent < 0 || exponent > 31) throw new Error(`int8 reference: shift ${exponent} out of [0, 31]`);
  const mask = exponent === 0 ? 0 : (Math.pow(2, exponent) - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** x * multiplier * 2^(shift-31), as TFLite's MultiplyByQuantizedMultiplier (two roundings). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(checkInt32(x * Math.pow(2, left), 'shifted accumulator'), multiplier), right);
}

/** The int8 clamp of a fused activation (CalculateActivationRangeQuantized; round half away). */
export function activationRange(act: FusedActivation, out: OutputQuant): [number, number] {
  const s = Math.fround(out.scale);
  const q = (f: number) => out.zeroPoint + roundAway(Math.fround(f / s));
  if (act === 'relu') return [Math.max(-128, q(0)), 127];
  if (act === 'relu6') return [Math.max(-128, q(0)), Math.min(127, q(6))];
  return [-128, 127];
}

function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** TF/TFLite padding: 'same' pads (out-1)*stride + k - in in total, the smaller half before. */
export function padding(inSize: number, k: number, stride: number, pad: Padding): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.floor((inSize - k) / stride) + 1, before: 0 };
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + k - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

// ---------------------------------------------------------------- ops

export interface ConvOptions {
  strides: [number, number];
  padding: Padding;
  activation: FusedActivation;
}

/** Per-output-channel multipliers: in_scale * w_scale[c] / out_scale, from float32 scales. */
function channelMultipliers(inScale: number, kernelScales: number[], outScale: number, channels: number) {
  return Array.from({ length: channels }, (_, c) => quantizeMultiplier((Math.fround(inScale) * Math.fround(kernelScales[kernelScales.length === 1 ? 0 : c])) / Math.fround(outScale)));
}

/**
 * Convolution (ConvPerChannel) and depthwise convolution (DepthwiseConvPerChannel, output channel
 * ic*mult + m): acc = sum (x - x_zp) * w + bias; out = MBQM(acc, M[c]) + out_zp, clamped.
 * Weights are symmetric (zero point 0); positions in the padding are skipped (as x = x_zp).
 */
function convLike(depthwise: boolean, x: QTensor, kernel: Int8Array, kernelShape: number[], kernelScales: number[], bias: Int32Array | undefined, o: ConvOptions, out: OutputQuant): QTensor {
  const [n, h, w, cin] = x.shape;
  const [kh, kw, kc, kd] = kernelShape;
  if (kc !== cin) throw new Error(`int8 reference: kernel expects ${kc} input channels, input has ${cin}`);
  const cout = depthwise ? cin * kd : kd;
  const py = padding(h, kh, o.strides[0], o.padding);
  const px = padding(w, kw, o.strides[1], o.padding);
  const mults = channelMultipliers(x.scale, kernelScales, out.scale, cout);
  const [lo, hi] = activationRange(o.activation, out);
  const y = new Int8Array(n * py.out * px.out * cout);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < py.out; oy++)
      for (let ox = 0; ox < px.out; ox++)
        for (let oc = 0; oc < cout; oc++) {
          const ic0 = depthwise ? Math.floor(oc / kd) : 0;
          let acc = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * o.strides[0] - py.before + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * o.strides[1] - px.before + kx;
              if (ix < 0 || ix >= w) continue;
              const base = ((b * h + iy) * w + ix) * cin;
              if (depthwise) acc += (x.data[base + ic0] - x.zeroPoint) * kernel[(ky * kw + kx) * cout + oc];
              else for (let ic = 0; ic < cin; ic++) acc += (x.data[base + ic] - x.zeroPoint) * kernel[((ky * kw + kx) * cin + ic) * cout + oc];
            }
          }
          if (bias) acc += bias[oc];
          const v = multiplyByQuantizedMultiplier(checkInt32(acc, 'accumulator'), mults[oc].multiplier, mults[oc].shift) + out.zeroPoint;
          y[i++] = clamp(v, lo, hi);
        }
  return { data: y, shape: [n, py.out, px.out, cout], scale: out.scale, zeroPoint: out.zeroPoint };
}

export function conv2dInt8(x: QTensor, kernel: Int8Array, kernelShape: number[], kernelScales: number[], bias: Int32Array | undefined, o: ConvOptions, out: OutputQuant): QTensor {
  return convLike(false, x, kernel, kernelShape, kernelScales, bias, o, out);
}

export function depthwiseConv2dInt8(x: QTensor, kernel: Int8Array, kernelShape: number[], kernelScales: number[], bias: Int32Array | undefined, o: ConvOptions, out: OutputQuant): QTensor {
  return convLike(true, x, kernel, kernelShape, kernelScales, bias, o, out);
}

/** FULLY_CONNECTED: input read as [n, in] (any trailing dims flattened); kernel [in, out]. */
export function fullyConnectedInt8(x: QTensor, kernel: Int8Array, kernelShape: number[], kernelScales: number[], bias: Int32Array | undefined, activation: FusedActivation, out: OutputQuant): QTensor {
  const n = x.shape[0];
  const [fin, fout] = kernelShape;
  if (x.data.length !== n * fin) throw new Error(`int8 reference: dense expects ${fin} features, input has ${x.data.length / n}`);
  const mults = channelMultipliers(x.scale, kernelScales, out.scale, fout);
  const [lo, hi] = activationRange(activation, out);
  const y = new Int8Array(n * fout);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < fout; o++) {
      let acc = 0;
      for (let k = 0; k < fin; k++) acc += (x.data[b * fin + k] - x.zeroPoint) * kernel[k * fout + o];
      if (bias) acc += bias[o];
      y[b * fout + o] = clamp(multiplyByQuantizedMultiplier(checkInt32(acc, 'accumulator'), mults[o].multiplier, mults[o].shift) + out.zeroPoint, lo, hi);
    }
  return { data: y, shape: [n, fout], scale: out.scale, zeroPoint: out.zeroPoint };
}

/**
 * ADD (add.cc Prepare + integer_ops/add.h AddFunc): both inputs are shifted left by 20 bits and
 * rescaled to a common scale of twice the larger input scale (multipliers <= 0.5), summed, and the
 * sum rescaled to the output; the fused activation clamps.
 */
export function addInt8(a: QTensor, b: QTensor, activation: FusedActivation, out: OutputQuant): QTensor {
  if (a.data.length !== b.data.length) throw new Error('int8 reference: add needs equal shapes (no broadcasting)');
  const leftShift = 20;
  const [sa, sb, so] = [Math.fround(a.scale), Math.fround(b.scale), Math.fround(out.scale)];
  const twiceMax = 2 * Math.max(sa, sb);
  const ma = quantizeMultiplier(sa / twiceMax);
  const mb = quantizeMultiplier(sb / twiceMax);
  const mo = quantizeMultiplier(twiceMax / (Math.pow(2, leftShift) * so));
  const [lo, hi] = activationRange(activation, out);
  const y = new Int8Array(a.data.length);
  for (let i = 0; i < y.length; i++) {
    const va = multiplyByQuantizedMultiplierSmallerThanOne((a.data[i] - a.zeroPoint) * (1 << leftShift), ma);
    const vb = multiplyByQuantizedMultiplierSmallerThanOne((b.data[i] - b.zeroPoint) * (1 << leftShift), mb);
    const sum = checkInt32(va + vb, 'add sum');
    y[i] = clamp(multiplyByQuantizedMultiplierSmallerThanOne(sum, mo) + out.zeroPoint, lo, hi);
  }
  return { data: y, shape: [...a.shape], scale: out.scale, zeroPoint: out.zeroPoint };
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp: the shift is <= 0, one rounding division. */
function multiplyByQuantizedMultiplierSmallerThanOne(x: number, m: { multiplier: number; shift: number }): number {
  if (m.shift > 0) throw new Error(`int8 reference: multiplier >= 1 where TFLite requires < 1 (shift ${m.shift})`);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, m.multiplier), -m.shift);
}

export interface PoolOptions {
  pool: [number, number];
  strides: [number, number];
  padding: Padding;
}

/**
 * MAX_POOL_2D / AVERAGE_POOL_2D (integer_ops/pooling.h): output has the input's parameters, so no
 * rescaling. The average sums the raw int8 values of the window positions inside the input (the
 * count excludes padding) and divides with C++'s truncating division after adding or subtracting
 * count/2, i.e. rounds half away from zero in q, not in q - zero_point.
 */
function pool(kind: 'max' | 'avg', x: QTensor, o: PoolOptions): QTensor {
  const [n, h, w, c] = x.shape;
  const py = padding(h, o.pool[0], o.strides[0], o.padding);
  const px = padding(w, o.pool[1], o.strides[1], o.padding);
  const y = new Int8Array(n * py.out * px.out * c);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < py.out; oy++)
      for (let ox = 0; ox < px.out; ox++)
        for (let ch = 0; ch < c; ch++) {
          const y0 = oy * o.strides[0] - py.before;
          const x0 = ox * o.strides[1] - px.before;
          let acc = kind === 'max' ? -128 : 0;
          let count = 0;
          for (let iy = Math.max(0, y0); iy < Math.min(h, y0 + o.pool[0]); iy++)
            for (let ix = Math.max(0, x0); ix < Math.min(w, x0 + o.pool[1]); ix++) {
              const v = x.data[((b * h + iy) * w + ix) * c + ch];
              acc = kind === 'max' ? Math.max(acc, v) : acc + v;
              count++;
            }
          if (count === 0) throw new Error('int8 reference: a pooling window lies entirely in the padding');
          if (kind === 'avg') acc = acc > 0 ? divTrunc(acc + (count >> 1), count) : divTrunc(acc - (count >> 1), count);
          y[i++] = clamp(acc, -128, 127);
        }
  return { data: y, shape: [n, py.out, px.out, c], scale: x.scale, zeroPoint: x.zeroPoint };
}

export function maxPoolInt8(x: QTensor, o: PoolOptions): QTensor {
  return pool('max', x, o);
}

export function avgPoolInt8(x: QTensor, o: PoolOptions): QTensor {
  return pool('avg', x, o);
}

/**
 * MEAN over H and W (global average pooling), as reference_integer_ops::Mean with the multiplier
 * reduce.cc prepares (in_scale / out_scale): acc = sum (x - x_zp) over the h*w positions;
 * acc = MBQM(acc, M); acc = acc / count rounded half away from zero (truncating division after
 * +-count/2); out = acc + out_zp, clamped to int8. The rescaling happens before the division, so
 * the result is rounded twice. (That is TFLite's keep_dims 4-D path; other MEAN paths in
 * reference_ops::QuantizedMeanOrSum round in float and can differ from this by 1 LSB.)
 */
export function meanHWInt8(x: QTensor, out: OutputQuant): QTensor {
  const [n, h, w, c] = x.shape;
  const count = h * w;
  const m = quantizeMultiplier(Math.fround(x.scale) / Math.fround(out.scale));
  const y = new Int8Array(n * c);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      for (let p = 0; p < count; p++) acc += x.data[(b * count + p) * c + ch] - x.zeroPoint;
      acc = multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift);
      acc = acc > 0 ? divTrunc(acc + (count >> 1), count) : divTrunc(acc - (count >> 1), count);
      y[b * c + ch] = clamp(acc + out.zeroPoint, -128, 127);
    }
  return { data: y, shape: [n, c], scale: out.scale, zeroPoint: out.zeroPoint };
}

// ---------------------------------------------------------------- whole graph

function fused(a: string, node: string): FusedActivation {
  if (a === 'linear' || a === 'relu' || a === 'relu6') return a;
  throw new Error(`int8 reference: node "${node}" has activation "${a}", which has no int8 kernel here`);
}

/**
 * One node of a full-integer QuantizedModel (mode 'int8') on its int8 inputs (in n.inputs order;
 * none for the input node, whose output is `inputs[0]` relabelled with the input parameters).
 */
export function runInt8Node(q: QuantizedModel, n: GraphNode, inputs: QTensor[]): QTensor {
  const p = q.activations[n.name];
  const x = inputs[0];
  switch (n.op) {
    case 'input':
      return { ...x, scale: p.scale, zeroPoint: p.zeroPoint };
    case 'conv2d':
    case 'depthwise': {
      const w = q.weights[n.name];
      const f = n.op === 'conv2d' ? conv2dInt8 : depthwiseConv2dInt8;
      return f(x, w.kernel, n.kernel.shape, w.kernelScales, w.bias, { strides: n.strides, padding: n.padding, activation: fused(n.activation, n.name) }, p);
    }
    case 'dense': {
      const w = q.weights[n.name];
      return fullyConnectedInt8(x, w.kernel, n.kernel.shape, w.kernelScales, w.bias, fused(n.activation, n.name), p);
    }
    case 'add':
      if (inputs.length !== 2) throw new Error(`int8 reference: add "${n.name}" has ${inputs.length} inputs, expected 2`);
      return addInt8(x, inputs[1], fused(n.activation, n.name), p);
    case 'maxpool':
      return maxPoolInt8(x, { pool: n.pool, strides: n.strides, padding: n.padding });
    case 'avgpool':
      return avgPoolInt8(x, { pool: n.pool, strides: n.strides, padding: n.padding });
    case 'gap':
      return meanHWInt8(x, p);
    case 'flatten':
      return { ...x, shape: [x.shape[0], x.data.length / x.shape[0]] };
    case 'dropout':
      return x;
    default:
      throw new Error(`int8 reference: op "${n.op}" (node "${n.name}") is not supported; run prepareForInference first`);
  }
}

/**
 * Runs a full-integer QuantizedModel on an already quantized input (the input node's
 * parameters), chaining each op's int8 output; returns every node's output by name.
 */
export function runInt8Graph(q: QuantizedModel, input: Int8Array, shape: number[]): Map<string, QTensor> {
  if (q.mode !== 'int8') throw new Error(`int8 reference: needs a full-integer model, got mode "${q.mode}"`);
  const outs = new Map<string, QTensor>();
  for (const n of q.graph.nodes) {
    const ins = n.op === 'input' ? [{ data: input, shape, scale: 1, zeroPoint: 0 }] : n.inputs.map((i) => outs.get(i)!);
    outs.set(n.name, runInt8Node(q, n, ins));
  }
  return outs;
}
