/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (not registered natively in tfjs-backend-wasm 4.22).
 *
 * Maths (channel multiplier m, channel k = c*m+q of dy): dW[a,b,c,q] =
 * sum_{n,i,j} xpad[n, i*s+a*d, j*s+b*d, c] * dy[n,i,j,k]. Treat every (n, k) pair as one channel
 * of a batch-1 depthwise convolution: xpad -> [1,Hp,Wp,N*C*m] (x repeated m times along channels
 * when m > 1), dy -> depthwise filter [OH,OW,N*C*m,1], DepthwiseConv2dNative with dilation = s and
 * stride = d gives [1,kh,kw,N*C*m]; reshape to [kh,kw,N,C*m] and Sum over N.
 */
import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { compose, explicitPad, planInputAxis } from './compose';

export const DEPTHWISE_BACKPROP_FILTER_NEEDS = ['DepthwiseConv2dNative', 'Transpose', 'Reshape', 'Slice', 'Sum', 'Tile'] as const;

export function depthwiseBackpropFilterWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: DepthwiseConv2dNativeBackpropFilterAttrs }): TensorInfo {
  const {
    inputs: { x, dy },
    backend,
    attrs,
  } = args;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const [n, , , ch] = x.shape;
  const [, oh, ow, chOut] = dy.shape;
  const [kh, kw, , mult] = filterShape;
  const cm = ch * mult;
  if (chOut !== cm) throw new Error(`wasm DepthwiseConv2dNativeBackpropFilter: dy has ${chOut} channels, expected ${ch}*${mult}`);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const h = planInputAxis(info.inHeight, oh, sh, dh, kh, info.padInfo.top);
  const w = planInputAxis(info.inWidth, ow, sw, dw, kw, info.padInfo.left);

  return compose(backend, filterShape, (c) => {
    let xs = c.slice(x, [0, 0, 0, 0], [n, h.use, w.use, ch]); // only the input the conv read
    if (mult > 1) xs = c.reshape(c.tile(c.reshape(xs, [n, h.use, w.use, ch, 1]), [1, 1, 1, 1, mult]), [n, h.use, w.use, cm]);
    const xT = c.reshape(c.transpose(xs, [1, 2, 0, 3]), [1, h.use, w.use, n * cm]); // (n, k) pairs as channels
    const dyT = c.reshape(c.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * cm, 1]); // the gradient as a depthwise filter
    let g = c.depthwiseConv2d(xT, dyT, [dh, dw], [sh, sw], explicitPad(h.padBegin, h.padEnd, w.padBegin, w.padEnd));
    g = c.slice(g, [0, 0, 0, 0], [1, kh, kw, n * cm]); // no-op unless explicit padding exceeded the receptive field
    const summed = n > 1 ? c.sum(c.reshape(g, [kh, kw, n, cm]), [2]) : g; // [kh, kw, C*m]
    return c.reshape(summed, filterShape);
  });
}

export const depthwiseBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelFunc,
};
