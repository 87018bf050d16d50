/**
 * Conv2DBackpropFilter for wasm (not registered natively in tfjs-backend-wasm 4.22).
 *
 * Maths: dW[a,b,ci,co] = sum_{n,i,j} xpad[n, i*s+a, j*s+b, ci] * dy[n,i,j,co]. That is a forward
 * convolution of xpad with batch and channel axes swapped ([Cin,Hp,Wp,N]) by dy used as a filter
 * ([OH,OW,N,Cout]) with dilation = forward stride: result [Cin,kh,kw,Cout] -> transpose to
 * [kh,kw,Cin,Cout]. One XNNPACK Conv2D plus two transposes instead of a scalar JS loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { compose, explicitPad, planInputAxis } from './compose';

export const CONV2D_BACKPROP_FILTER_NEEDS = ['Conv2D', 'Transpose', 'Slice'] as const;

export function conv2DBackpropFilterWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const {
    inputs: { x, dy },
    backend,
    attrs,
  } = args;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW') throw new Error("wasm Conv2DBackpropFilter: dataFormat 'NCHW' is not supported (use NHWC)");
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [n, , , cin] = x.shape;
  const [, oh, ow, cout] = dy.shape;
  const [kh, kw] = filterShape;
  const h = planInputAxis(info.inHeight, oh, info.strideHeight, 1, kh, info.padInfo.top);
  const w = planInputAxis(info.inWidth, ow, info.strideWidth, 1, kw, info.padInfo.left);

  return compose(backend, filterShape, (c) => {
    const xs = c.slice(x, [0, 0, 0, 0], [n, h.use, w.use, cin]); // drop input rows/cols the conv never read
    const xT = c.transpose(xs, [3, 1, 2, 0]); // [Cin, H', W', N]: channels become the batch
    const dyT = c.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]: the gradient becomes the filter
    let g = c.conv2d(xT, dyT, [1, 1], [info.strideHeight, info.strideWidth], explicitPad(h.padBegin, h.padEnd, w.padBegin, w.padEnd));
    g = c.slice(g, [0, 0, 0, 0], [cin, kh, kw, cout]); // no-op unless explicit padding exceeded the receptive field
    return c.transpose(g, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
  });
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
