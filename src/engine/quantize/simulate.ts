/**
 * Simulated integer inference: the quantized model run with tfjs float kernels, with a
 * quantize-dequantize step at every point where an int8 runtime requantizes (the input, and the
 * output of every op that does not reuse its input's parameters). Weights are the dequantized int8
 * values and the bias the dequantized int32, so each op's float result differs from the int8
 * runtime's accumulator only by float rounding; after requantization the two agree within 1 LSB
 * (tests/unit/int8-reference.test.ts checks that against an integer reference).
 */
import * as tf from '@tensorflow/tfjs';
import { compileGraph, type CompiledGraph } from '../graph/execute';
import type { QuantParams } from './affine';
import { effectiveWeight, inheritsInputParams, type QuantizedModel } from './quantize-graph';

/** x -> scale * (clamp(roundHalfAwayFromZero(x / scale) + zp, qmin, qmax) - zp), as tensors. */
export function fakeQuantTensor(x: tf.Tensor, p: QuantParams): tf.Tensor {
  return tf.tidy(() => {
    const v = tf.div(x, p.scale);
    const r = tf.mul(tf.sign(v), tf.floor(tf.add(tf.abs(v), 0.5)));
    const q = tf.clipByValue(tf.add(r, p.zeroPoint), p.qmin, p.qmax);
    return tf.mul(tf.sub(q, p.zeroPoint), p.scale);
  });
}

export interface SimulateOptions {
  /** false runs the quantized weights without activation quantize-dequantize (what tfjs does). */
  quantizeActivations?: boolean;
}

export function compileQuantized(q: QuantizedModel, opts: SimulateOptions = {}): CompiledGraph {
  const fq = q.mode === 'int8' && opts.quantizeActivations !== false;
  return compileGraph(q.graph, {
    weight: (n, key, w) => effectiveWeight(q, n, key, w.values),
    output: fq ? (n, y) => (inheritsInputParams(n) ? y : fakeQuantTensor(y, q.activations[n.name])) : undefined,
  });
}
