/**
 * DepthwiseConv2dNativeBackpropInput for wasm (not registered natively in tfjs-backend-wasm 4.22).
 *
 * Maths: as for Conv2DBackpropInput, per channel: dx[n,h,w,c] = sum_q sum_{a,b}
 * u[n, h+a*d-((kh-1)*d-padTop), w+b*d-((kw-1)*d-padLeft), c*m+q] * W[kh-1-a, kw-1-b, c, q], where u is
 * dy with s-1 zeros inserted between rows and columns: one stride-1 XNNPACK
 * DepthwiseConv2dNative with the flipped filter (reshaped to [kh,kw,C*m,1]) and, for channel
 * multiplier m > 1, a Sum over the m outputs of each input channel.
 */
import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { compose, explicitPad, planUpsampledAxis, upsampleForFullConv } from './compose';

export const DEPTHWISE_BACKPROP_INPUT_NEEDS = ['DepthwiseConv2dNative', 'Reshape', 'PadV2', 'Slice', 'Reverse', 'Sum'] as const;

export function depthwiseBackpropInputWasm(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: unknown; attrs: DepthwiseConv2dNativeBackpropInputAttrs }): TensorInfo {
  const {
    inputs: { dy, filter },
    backend,
    attrs,
  } = args;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const [kh, kw, ch, mult] = filterShape;
  const [n, oh, ow, chOut] = dy.shape;
  if (chOut !== ch * mult) throw new Error(`wasm DepthwiseConv2dNativeBackpropInput: dy has ${chOut} channels, expected ${ch}*${mult}`);
  const [, inH, inW] = inputShape;
  const h = planUpsampledAxis(oh, sh, (kh - 1) * dh - info.padInfo.top, inH, (kh - 1) * dh + 1);
  const w = planUpsampledAxis(ow, sw, (kw - 1) * dw - info.padInfo.left, inW, (kw - 1) * dw + 1);

  return compose(backend, inputShape, (c) => {
    const u = upsampleForFullConv(c, dy, sh, sw, h, w);
    const flipped = c.reshape(c.reverse(filter, [0, 1]), [kh, kw, ch * mult, 1]);
    const g = c.depthwiseConv2d(u, flipped, [1, 1], [dh, dw], explicitPad(h.padBegin, h.padEnd, w.padBegin, w.padEnd));
    return mult > 1 ? c.sum(c.reshape(g, [n, inH, inW, ch, mult]), [4]) : g;
  });
}

export const depthwiseBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelFunc,
};
