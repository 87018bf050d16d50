/**
 * Simulated integer inference: the quantized model run with tfjs float kernels, with a
 * quantize-dequantize step at every point where an int8 runtime requantizes or rounds (the input,
 * the output of every op that does not reuse its input's parameters, and average pooling, which
 * keeps its input's parameters but rounds the mean to an integer). Weights are the dequantized int8
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
  // Five ops where the grid holds no negative value (every ReLU output: zp = qmin), nine otherwise;
  // this step runs on every activation of every evaluated image. Both are the same function: the
  // bounds qmin - zp and qmax - zp are integers, so clamping before rounding gives what clamping
  // after does, and on values ≥ 0 rounding half away from zero is floor(v + 0.5).
  const lo = p.qmin - p.zeroPoint;
  const hi = p.qmax - p.zeroPoint;
  return tf.tidy(() => {
    const v = tf.clipByValue(tf.div(x, p.scale), lo, hi);
    const r = lo >= 0 ? tf.floor(tf.add(v, 0.5)) : tf.mul(tf.sign(v), tf.floor(tf.add(tf.abs(v), 0.5)));
    return tf.mul(r, p.scale);
  });
}

/** The same step written as the definition reads, kept for the test that the fast one equals it. */
export function fakeQuantTensorReference(x: tf.Tensor, p: QuantParams): tf.Tensor {
  return tf.tidy(() => {
    const v = tf.div(x, p.scale);
    const r = tf.mul(tf.sign(v), tf.floor(tf.add(tf.abs(v), 0.5)));
    const q = tf.clipByValue(tf.add(r, p.zeroPoint), p.qmin, p.qmax);
    return tf.mul(tf.sub(q, p.zeroPoint), p.scale);
  });
}

/**
 * Average pooling's int8 rounding with its (inherited) parameters, as TFLite's integer AveragePool
 * (reference/integer_ops/pooling.h): the mean of the raw int8 values, rounded half away from zero
 * in q (not in q - zeroPoint). Ties are common (a 2x2 window gives one in four), and the float mean
 * carries float32 error that would send them either way, so the mean in q is first snapped to a
 * 1/1024 grid: the true mean is a multiple of 1/count, which the snap leaves on the same side of
 * every half-integer while count < 1024.
 */
export function fakeQuantAvgPoolTensor(x: tf.Tensor, p: QuantParams): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.add(tf.div(x, p.scale), p.zeroPoint);
    const snapped = tf.div(tf.round(tf.mul(mean, 1024)), 1024);
    const r = tf.mul(tf.sign(snapped), tf.floor(tf.add(tf.abs(snapped), 0.5)));
    const q = tf.clipByValue(r, p.qmin, p.qmax);
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
    output: fq
      ? (n, y) => {
          const p = q.activations[n.name];
          if (n.op === 'avgpool') return fakeQuantAvgPoolTensor(y, p);
          return inheritsInputParams(n) ? y : fakeQuantTensor(y, p);
        }
      : undefined,
  });
}
