/**
 * One weighted layer as reconstruction problems: its kernel as W (rows = outputs, cols = inputs,
 * Float64), and the statistics of its inputs on calibration images, H = Σ x xᵀ and Σ x, where x is
 * what one output sees: a dense layer's input vector, a convolution's im2col patch (kh·kw·cin, the
 * channel fastest, the kernel's own order), or for a depthwise layer one channel's kh·kw patch (one
 * problem per channel, since each channel has its own filter).
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DNode, DenseNode, DepthwiseNode, WeightedNode } from '../graph/ir';
import { MAX_BLOCK_COLS } from './linalg';

export interface LayerShape {
  /** Independent problems: the channels of a depthwise layer, else 1. */
  groups: number;
  rows: number;
  cols: number;
  /** Input channels in a column (for N:M groups): cin for conv and dense, 1 for depthwise. */
  channels: number;
}

export function layerShape(n: WeightedNode): LayerShape {
  const s = n.kernel.shape;
  if (n.op === 'dense') return { groups: 1, rows: s[1], cols: s[0], channels: s[0] };
  if (n.op === 'conv2d') return { groups: 1, rows: s[3], cols: s[0] * s[1] * s[2], channels: s[2] };
  return { groups: s[2], rows: s[3], cols: s[0] * s[1], channels: 1 };
}

/** Kernel index of W[g][r][c]: Keras layouts (dense [in,out], conv [kh,kw,cin,cout], depthwise [kh,kw,cin,mult]). */
function kernelIndex(n: WeightedNode, sh: LayerShape, g: number, r: number, c: number): number {
  if (n.op === 'depthwise') return (c * sh.groups + g) * sh.rows + r;
  return c * sh.rows + r;
}

/** W of each group, row-major rows x cols. */
export function toRows(n: WeightedNode): Float64Array[] {
  const sh = layerShape(n);
  const k = n.kernel.values;
  return Array.from({ length: sh.groups }, (_, g) => {
    const w = new Float64Array(sh.rows * sh.cols);
    for (let r = 0; r < sh.rows; r++) for (let c = 0; c < sh.cols; c++) w[r * sh.cols + c] = k[kernelIndex(n, sh, g, r, c)];
    return w;
  });
}

/** Writes W of each group back into the kernel (and a mask in the kernel's layout, when given). */
export function fromRows(n: WeightedNode, ws: Float64Array[], masks?: Uint8Array[]): Uint8Array | undefined {
  const sh = layerShape(n);
  const out = masks ? new Uint8Array(n.kernel.values.length) : undefined;
  ws.forEach((w, g) => {
    for (let r = 0; r < sh.rows; r++) {
      for (let c = 0; c < sh.cols; c++) {
        const i = kernelIndex(n, sh, g, r, c);
        n.kernel.values[i] = w[r * sh.cols + c];
        if (out) out[i] = masks![g][r * sh.cols + c];
      }
    }
  });
  return out;
}

/**
 * Columns per input vector at most for the fit through the vectors (blocks.ts fitToDense): its
 * products cost about 2·rows·cols·M + rows·M² against the factor's 2·rows·cols², all in the
 * four-row kernel. In one process (2026-12-07), 512 x 512 with M = 256: 82-96 ms against 112-120 ms
 * through the factor; with M = 128, 32-40 against 103-106 ms. (Until the Gram matrix's inverse went
 * through the product kernel too, per-row triangular solves made M = cols/2 no faster.)
 */
export const LOW_RANK_RATIO = 2;

/** A layer's input vectors when they are few: x (what it sees) and x0 (what it sees in the dense model), M x cols each. */
export interface LowRankInputs {
  x: Float64Array;
  x0: Float64Array;
  m: number;
}

/**
 * What the fit to the dense model takes of the dense inputs (blocks.ts fitToDense): C = Σ x_dense xᵀ
 * (cols x cols), or W·C (rows x cols) for the weights W the layer had when its statistics were
 * collected, where that is cheaper (InputStats `weighted`).
 */
export type DenseCross = Float64Array | { wc: Float64Array };

/** Accumulated input statistics of one layer: per group, H (cols x cols) and the column sums. */
export class InputStats {
  readonly h: Float64Array[];
  readonly sum: Float64Array[];
  /**
   * With dense targets: per group, C = Σ x_dense xᵀ (cols x cols) and Σ x_dense, where x_dense is
   * what the layer sees on the same image in the uncompressed model.
   */
  cross?: Float64Array[];
  sumDense?: Float64Array[];
  /**
   * With dense targets and `weighted` (one group, at most MAX_BLOCK_COLS columns, 2·rows < cols):
   * instead of C, W·C = Σ (W x_dense) xᵀ (rows x cols) and Σ W x_dense (rows), W the layer's
   * weights when added. The layer's own outputs on the dense inputs come from one convolution, so
   * this costs 2·rows·cols per input vector where C costs cols² (the custom CNN's 576-wide layers
   * have 64 and 128 rows).
   */
  weightedCross?: Float64Array;
  denseOutSum?: Float64Array;
  /** Input vectors seen (per group): images x output positions. */
  count = 0;
  /**
   * With dense targets, one group and at most MAX_BLOCK_COLS columns, the input vectors themselves
   * (x and x_dense, one batch per array) while there are at most half as many as columns: the fit
   * to the dense model then goes through them (blocks.ts fitToDense), in rows·cols·M instead of
   * rows·cols² (a preview's 12 images give MobileNetV1's 512-wide layers 192 vectors and its last
   * layer 48 for 1,024 columns). Dropped once there are more.
   */
  private kept?: { x: Float32Array[]; x0: Float32Array[] } = { x: [], x0: [] };

  constructor(
    readonly shape: LayerShape,
    private readonly weighted = false,
  ) {
    this.h = Array.from({ length: shape.groups }, () => new Float64Array(shape.cols * shape.cols));
    this.sum = Array.from({ length: shape.groups }, () => new Float64Array(shape.cols));
  }

  /** The column means (E[x]), for bias correction. */
  mean(g: number): Float64Array {
    return this.sum[g].map((v) => v / Math.max(1, this.count));
  }

  /** The kept input vectors of group `g` (M x cols each, row by row), when there are few; see `kept`. */
  vectors(g: number): LowRankInputs | undefined {
    const k = this.kept;
    if (!k || g !== 0 || !(this.cross || this.weightedCross) || k.x.length === 0) return undefined;
    const cols = this.shape.cols;
    const x = new Float64Array(this.count * cols);
    const x0 = new Float64Array(this.count * cols);
    let at = 0;
    k.x.forEach((b, i) => {
      x.set(b, at);
      x0.set(k.x0[i], at);
      at += b.length;
    });
    return { x, x0, m: this.count };
  }

  /** C or W·C of group `g` for the fit to the dense model, when dense targets were collected. */
  crossOf(g: number): DenseCross | undefined {
    if (this.weightedCross) return { wc: this.weightedCross };
    return this.cross?.[g];
  }

  /** E[W x_dense] per output row, when W·C was collected (bias correction's target). */
  denseOutMean(): Float64Array | undefined {
    return this.denseOutSum?.map((v) => v / Math.max(1, this.count));
  }

  /** E[x_dense] when dense targets were collected, else E[x]. */
  denseMean(g: number): Float64Array {
    return (this.sumDense?.[g] ?? this.sum[g]).map((v) => v / Math.max(1, this.count));
  }

  /**
   * Adds a batch of the layer's input activations (NHWC for convolutions, [batch, in] for dense),
   * and with `dense`, the same images' inputs to this layer in the uncompressed model.
   */
  async add(n: WeightedNode, x: tf.Tensor, dense?: tf.Tensor): Promise<void> {
    const { groups, cols } = this.shape;
    const as3 = (p: tf.Tensor): tf.Tensor3D => (p.rank === 2 ? p.expandDims(0) : p) as tf.Tensor3D;
    const keep = this.kept !== undefined && dense !== undefined && groups === 1 && cols <= MAX_BLOCK_COLS;
    const weighted = this.weighted && dense !== undefined && n.op !== 'depthwise' && cols <= MAX_BLOCK_COLS && 2 * this.shape.rows < cols;
    const [hT, sT, m, cT, sdT, xT, x0T] = tf.tidy(() => {
      const p3 = as3(patches(n, x)); // [groups, M, cols]
      // The products take the patches transposed, then plain: wasm's matMul with transposeA (or
      // transposeB) is 7-12x slower (2.4 s against 0.34 s for a 32,768 x 288 patch matrix).
      // The column sums from the transposed copies too: wasm reduces only the innermost axis, so
      // summing over axis 1 would transpose the whole patch matrix once more (1.4 s of 5 s).
      const transposed = (t: tf.Tensor): tf.Tensor3D => (n.op === 'conv2d' ? patchesT(n, t).expandDims(0) : as3(patches(n, t)).transpose([0, 2, 1]));
      const pT = transposed(x);
      // W·C as (W X_dense) Xᵀ: the layer's outputs on the dense inputs, rows x M, times the patches.
      const yT = weighted
        ? linearOutput(n as Conv2DNode | DenseNode, dense)
            .reshape([-1, this.shape.rows])
            .transpose()
            .expandDims(0)
        : undefined;
      const dT = dense && !weighted ? transposed(dense) : undefined;
      const [cross, crossSum] = yT ? [tf.matMul(yT, p3), yT.sum(2)] : dT ? [tf.matMul(dT, p3), dT.sum(2)] : [];
      const few = keep && LOW_RANK_RATIO * (this.count + p3.shape[1]) <= cols;
      return [tf.matMul(pT, p3), pT.sum(2), p3.shape[1], cross, crossSum, few ? p3 : undefined, few ? as3(patches(n, dense!)) : undefined] as const;
    });
    const [hv, sv, cv, sdv, xv, x0v] = (await Promise.all([hT.data(), sT.data(), cT?.data(), sdT?.data(), xT?.data(), x0T?.data()])) as (Float32Array | undefined)[];
    tf.dispose([hT, sT, ...(cT ? [cT, sdT!] : []), ...(xT ? [xT, x0T!] : [])]);
    if (xv && x0v) {
      this.kept!.x.push(xv);
      this.kept!.x0.push(x0v);
    } else this.kept = undefined;
    const accumulate = (into: Float64Array[], from: Float32Array, size: number) => {
      for (let g = 0; g < groups; g++) for (let i = 0; i < size; i++) into[g][i] += from[g * size + i];
    };
    accumulate(this.h, hv!, cols * cols);
    accumulate(this.sum, sv!, cols);
    if (cv && weighted) {
      this.weightedCross ??= new Float64Array(this.shape.rows * cols);
      this.denseOutSum ??= new Float64Array(this.shape.rows);
      accumulate([this.weightedCross], cv, this.shape.rows * cols);
      accumulate([this.denseOutSum], sdv!, this.shape.rows);
    } else if (cv) {
      this.cross ??= Array.from({ length: groups }, () => new Float64Array(cols * cols));
      this.sumDense ??= Array.from({ length: groups }, () => new Float64Array(cols));
      accumulate(this.cross, cv, cols * cols);
      accumulate(this.sumDense, sdv!, cols);
    }
    this.count += m;
  }
}

/** The layer's outputs without its bias, [batch, (h, w,) rows]: W x for every input vector of `x`. */
function linearOutput(n: Conv2DNode | DenseNode, x: tf.Tensor): tf.Tensor {
  const k = tf.tensor(n.kernel.values, n.kernel.shape);
  if (n.op === 'dense') return tf.matMul(x.reshape([x.shape[0], -1]), k as tf.Tensor2D);
  return tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, n.strides, n.padding);
}

/** TensorFlow's 'same' padding: total max((out-1)·stride + k - in, 0), the smaller half before. */
function samePad(inSize: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + k - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The output size and the padded input of a convolution over `x`'s spatial axes (`h`, `w`: their indices). */
function window(n: Conv2DNode | DepthwiseNode, x: tf.Tensor, h: number, w: number): { xp: tf.Tensor; oh: number; ow: number } {
  const [kh, kw] = n.kernel.shape;
  const [sh, sw] = n.strides;
  const ih = x.shape[h]!;
  const iw = x.shape[w]!;
  if (n.padding !== 'same') return { xp: x, oh: Math.floor((ih - kh) / sh) + 1, ow: Math.floor((iw - kw) / sw) + 1 };
  const pad = x.shape.map((): [number, number] => [0, 0]);
  pad[h] = samePad(ih, kh, sh);
  pad[w] = samePad(iw, kw, sw);
  const none = pad.every(([a, b]) => a === 0 && b === 0);
  return { xp: none ? x : tf.pad(x, pad), oh: Math.ceil(ih / sh), ow: Math.ceil(iw / sw) };
}

/**
 * A convolution's im2col transposed, [kh·kw·cin, M], straight from the input: transposed to
 * channel-first (a ninth of the patches' size for a 3x3 kernel), each kernel position's slice is one
 * block [cin, M] and the blocks stack in the kernel's own order. Transposing the patches instead
 * took longer than their product (wasm: 74-86 ms against 57-66 for 12,288 x 288 values).
 */
function patchesT(n: Conv2DNode, x: tf.Tensor): tf.Tensor2D {
  const [kh, kw, cin] = n.kernel.shape;
  const [sh, sw] = n.strides;
  const b = x.shape[0];
  const xt = x.transpose([3, 0, 1, 2]);
  // A pointwise convolution's patches are its input.
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1) return xt.reshape([cin, -1]);
  const { xp, oh, ow } = window(n, xt, 2, 3);
  const slices: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      slices.push(tf.stridedSlice(xp, [0, 0, i, j], [cin, b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1], [1, 1, sh, sw]));
    }
  }
  return tf.concat(slices, 0).reshape([kh * kw * cin, b * oh * ow]);
}

/**
 * im2col by shifted strided slices, one per kernel position, concatenated channel-last: the same
 * values a convolution multiplies, without building the kh·kw·cin-channel identity filter a
 * patch-extracting convolution would need (85 MB for a 3x3x512 layer).
 */
function patches(n: WeightedNode, x: tf.Tensor): tf.Tensor {
  if (n.op === 'dense') return x.reshape([x.shape[0], -1]);
  const [kh, kw, cin] = n.kernel.shape;
  const [sh, sw] = n.strides;
  const b = x.shape[0];
  const { xp, oh, ow } = window(n, x, 1, 2);
  const slices: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      slices.push(tf.stridedSlice(xp, [0, i, j, 0], [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, cin], [1, sh, sw, 1]));
    }
  }
  const m = b * oh * ow;
  const cols = tf.concat(slices, 3);
  if (n.op === 'conv2d') return cols.reshape([m, kh * kw * cin]);
  // Depthwise: [M, positions, channels] -> [channels, M, positions]. Stacking the slices on a new
  // last axis would give that order directly, but wasm's stack copies one value at a time in
  // JavaScript there (15 of MobileNetV1 1.0's 128 s of sensitivity analysis); concat copies
  // whole channel runs and the transpose runs in wasm.
  return cols.reshape([m, kh * kw, cin]).transpose([2, 0, 1]);
}
