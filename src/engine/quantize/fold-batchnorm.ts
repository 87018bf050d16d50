/**
 * Folds an inference-mode BatchNormalization into the preceding convolution or dense layer, as
 * the TFLite converter does before quantizing:
 *   y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta
 *     = conv_{W * s}(x) + (b - mean) * s + beta,   s = gamma / sqrt(var + eps), per output channel.
 * Kernels are in Keras layouts with output channels last ([kh,kw,cin,cout], [in,out]); for a
 * depthwise kernel [kh,kw,cin,mult] the output channel of element i is i % (cin*mult).
 */
export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

export interface Folded {
  kernel: Float32Array;
  bias: Float32Array;
}

export function foldBatchNorm(kernel: Float32Array, bias: Float32Array | undefined, bn: BatchNormParams): Folded {
  const channels = bn.gamma.length;
  if (kernel.length % channels !== 0) throw new Error(`kernel of ${kernel.length} elements does not split into ${channels} output channels`);
  const s = new Float64Array(channels);
  for (let c = 0; c < channels; c++) s[c] = bn.gamma[c] / Math.sqrt(bn.variance[c] + bn.epsilon);
  const k = new Float32Array(kernel.length);
  for (let i = 0; i < kernel.length; i++) k[i] = kernel[i] * s[i % channels];
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) b[c] = ((bias ? bias[c] : 0) - bn.mean[c]) * s[c] + bn.beta[c];
  return { kernel: k, bias: b };
}
