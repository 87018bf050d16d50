/**
 * Shared plumbing for wasm kernels that are composed from other wasm kernels.
 *
 * Why composition: the wasm backend's fast paths are XNNPACK's forward convolutions (Conv2D with
 * any stride/dilation/explicit padding, DepthwiseConv2dNative) plus cheap data movement
 * (Transpose, PadV2, Reshape, Slice, Reverse, Sum, Tile). Every convolution gradient can be
 * rewritten as one forward convolution of re-laid-out tensors, so calling those kernels'
 * kernelFuncs directly gives gradients at XNNPACK speed without any scalar JS loop and without
 * going through the engine (no tape, no engine-tracked tensors for the intermediates).
 *
 * Rules every composed kernel follows (the engine does not see the intermediates, so it cannot
 * free them): each intermediate TensorInfo is freed with backend.disposeData, and exactly one
 * new TensorInfo is handed back. `compose` enforces both, also when a step throws.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

export const WASM = 'wasm';

/** [[0,0],[top,bottom],[left,right],[0,0]]: explicit NHWC padding as computeConv2DInfo takes it. */
export type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

export function explicitPad(top: number, bottom: number, left: number, right: number): Padding4 {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * Why a wasm kernel cannot be composed from, or null when it looks usable: it must be registered
 * for wasm and its kernelFunc must take the single `{inputs, backend, attrs}` argument.
 */
export function checkWasmKernel(name: string): string | null {
  const k = tf.getKernel(name, WASM);
  if (k == null) return `wasm kernel "${name}" is not registered`;
  if (typeof k.kernelFunc !== 'function') return `wasm kernel "${name}" has no kernelFunc`;
  if (k.kernelFunc.length > 1) {
    return `wasm kernel "${name}" kernelFunc takes ${k.kernelFunc.length} parameters (expected one {inputs, backend, attrs})`;
  }
  return null;
}

/** Tracks the intermediates of one composed kernel call so that none of them leaks. */
export class Composer {
  private readonly live: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  /** Runs a wasm kernel's kernelFunc directly; its output is tracked as an intermediate. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const k = tf.getKernel(kernelName, WASM);
    if (k == null) throw new Error(`composed wasm kernel needs "${kernelName}", which is not registered for wasm`);
    const out = k.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      this.live.push(...out);
      throw new Error(`wasm kernel "${kernelName}" returned ${out.length} tensors; one was expected`);
    }
    this.live.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose; a Reshape (no copy) when only size-1 axes move. */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    const moved = perm.filter((axis) => x.shape[axis] !== 1);
    if (moved.every((axis, i) => i === 0 || moved[i - 1] < axis))
      return this.reshape(
        x,
        perm.map((axis) => x.shape[axis]),
      );
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding (PadV2); returns x itself when there is nothing to pad. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** Slice; returns x itself when the slice is the whole tensor. */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  tile(x: TensorInfo, reps: number[]): TensorInfo {
    return this.run('Tile', { x }, { reps });
  }

  conv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pad: Padding4): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' } as unknown as NamedAttrMap);
  }

  depthwiseConv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pad: Padding4): TensorInfo {
    return this.run('DepthwiseConv2dNative', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' } as unknown as NamedAttrMap);
  }

  /** Frees every tracked intermediate except `keep`. */
  release(keep?: TensorInfo): void {
    for (const t of this.live) if (t !== keep) this.backend.disposeData(t.dataId);
    this.live.length = 0;
  }
}

/**
 * Runs `body` with a fresh Composer and returns its result as the kernel's single output; frees
 * every other intermediate, on success and on error. The result must be a tensor `body` created
 * (never one of the kernel's inputs), and must have `expectShape`: a mismatch means a composed-from
 * kernel changed behaviour, and is an error rather than a silently wrong gradient.
 */
export function compose(backend: unknown, expectShape: readonly number[], body: (c: Composer) => TensorInfo): TensorInfo {
  const c = new Composer(backend as KernelBackend);
  let out: TensorInfo;
  try {
    out = body(c);
  } catch (e) {
    c.release();
    throw e;
  }
  c.release(out);
  if (out.shape.length !== expectShape.length || out.shape.some((d, i) => d !== expectShape[i])) {
    (backend as KernelBackend).disposeData(out.dataId);
    throw new Error(`composed wasm kernel produced shape [${out.shape}] instead of [${expectShape}]`);
  }
  return out;
}

/**
 * Plan for feeding a zero-upsampled gradient to a stride-1 'valid'-style convolution whose
 * output must have `outLen` positions along one spatial axis.
 *
 * The gradient dy (length `dyLen`) becomes u with u[i*s] = dy[i] and zeros between. The
 * convolution needs `lead` zero positions before u[0] and enough after it so that
 * lead + len(u) + trail - effK + 1 = outLen. The zero-insertion pad (PadV2 on a size-1 axis) adds
 * s-1 zeros per sample; splitting them as `before` + `after` around each sample lets the leading
 * and trailing zeros double as part of the convolution's implicit padding, so normally no Slice
 * (a copy of the whole gradient) is needed. Negative needs (large explicit padding, or odd sizes
 * where even the s-1 zeros are too many) are met by cropping: cropBegin/cropEnd positions of the
 * zero-inserted tensor are dropped before the convolution.
 */
export interface AxisPlan {
  /** zeros put before / after each sample by the zero-insertion pad (before + after = s - 1) */
  before: number;
  after: number;
  /** positions to drop from the start / end of the zero-inserted tensor */
  cropBegin: number;
  cropEnd: number;
  /** implicit padding the convolution adds before / after */
  padBegin: number;
  padEnd: number;
}

export function planUpsampledAxis(dyLen: number, s: number, lead: number, outLen: number, effK: number): AxisPlan {
  // Zeros needed after the last sample u[(dyLen-1)*s] for a 'valid' conv to give outLen outputs.
  const trail = outLen + effK - 1 - lead - ((dyLen - 1) * s + 1);
  // Choose `before` in [0, s-1] with before <= lead and (s-1-before) <= trail when possible.
  const lo = Math.max(0, s - 1 - trail);
  const hi = Math.min(s - 1, lead);
  const before = lo <= hi ? lo : Math.max(0, Math.min(s - 1, lead));
  const after = s - 1 - before;
  const padBegin = lead - before;
  const padEnd = trail - after;
  return {
    before,
    after,
    cropBegin: Math.max(0, -padBegin),
    cropEnd: Math.max(0, -padEnd),
    padBegin: Math.max(0, padBegin),
    padEnd: Math.max(0, padEnd),
  };
}

/**
 * dy [N,OH,OW,C] -> zero-inserted, cropped as the plans say, ready for a stride-1 convolution
 * with explicit padding explicitPad(h.padBegin, h.padEnd, w.padBegin, w.padEnd).
 * Insertion: reshape to [N,OH,1,OW,1,C], PadV2 the size-1 axes to s, reshape back (no JS loop).
 */
export function upsampleForFullConv(c: Composer, dy: TensorInfo, sh: number, sw: number, h: AxisPlan, w: AxisPlan): TensorInfo {
  const [n, oh, ow, ch] = dy.shape;
  let u = dy;
  if (sh > 1 || sw > 1) {
    const r = c.reshape(dy, [n, oh, 1, ow, 1, ch]);
    const p = c.pad(r, [
      [0, 0],
      [0, 0],
      [h.before, h.after],
      [0, 0],
      [w.before, w.after],
      [0, 0],
    ]);
    u = c.reshape(p, [n, oh * sh, ow * sw, ch]);
  }
  const [, uh, uw] = u.shape;
  if (h.cropBegin || h.cropEnd || w.cropBegin || w.cropEnd) {
    u = c.slice(u, [0, h.cropBegin, w.cropBegin, 0], [n, uh - h.cropBegin - h.cropEnd, uw - w.cropBegin - w.cropEnd, ch]);
  }
  return u;
}

/**
 * For filter gradients: the forward conv read padded-input positions [0, need) along one axis,
 * need = (outLen-1)*s + (k-1)*d + 1. Keep only the input positions it read (`use`, from the
 * start), and the padding before/after them, so the gradient convolution yields exactly k taps
 * (no wasted output to slice off, except in degenerate explicit-padding cases, where `taps` > k).
 */
export interface InputAxisPlan {
  use: number;
  padBegin: number;
  padEnd: number;
  /** taps the gradient convolution produces (>= k; slice to k when larger) */
  taps: number;
}

export function planInputAxis(inLen: number, outLen: number, s: number, d: number, k: number, padBegin: number): InputAxisPlan {
  const need = (outLen - 1) * s + (k - 1) * d + 1;
  const use = Math.min(inLen, Math.max(1, need - padBegin));
  const padEnd = Math.max(0, need - padBegin - use);
  const taps = Math.floor((padBegin + use + padEnd - ((outLen - 1) * s + 1)) / d) + 1;
  return { use, padBegin, padEnd, taps };
}
