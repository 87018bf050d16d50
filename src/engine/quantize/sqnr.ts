/**
 * Per-layer quantization error as signal-to-quantization-noise ratio,
 *   SQNR = 10 log10( sum x^2 / sum (x - x_q)^2 )  dB  (higher is better; each bit is ~6 dB),
 * for each weighted layer's weights, and for its output in the quantized model against the float
 * model on the same images. The output figure accumulates the error of every layer before it, as
 * the layer-wise debuggers of TFLite and ai-edge-torch report it.
 */
import * as tf from '@tensorflow/tfjs';
import { compileGraph } from '../graph/execute';
import { isWeighted } from '../graph/ir';
import { effectiveWeight, type QuantizedModel } from './quantize-graph';
import { compileQuantized } from './simulate';

export interface LayerSqnr {
  name: string;
  op: string;
  weightSqnrDb: number;
  outputSqnrDb: number;
}

export function sqnrDb(signal: ArrayLike<number>, approx: ArrayLike<number>): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < signal.length; i++) {
    s += signal[i] * signal[i];
    const d = signal[i] - approx[i];
    e += d * d;
  }
  if (e === 0) return Infinity;
  return 10 * Math.log10(s / e);
}

/** SQNR per weighted layer; `x` is a batch of (training) images, owned by the caller. */
export async function layerSqnr(q: QuantizedModel, x: tf.Tensor): Promise<LayerSqnr[]> {
  const layers = q.graph.nodes.filter(isWeighted);
  const names = layers.map((n) => n.name);
  const float = compileGraph(q.graph);
  const quant = compileQuantized(q);
  try {
    const a = float.capture(x, names);
    const b = quant.capture(x, names);
    const out: LayerSqnr[] = [];
    for (const n of layers) {
      const w = effectiveWeight(q, n, n.op === 'depthwise' ? 'depthwise_kernel' : 'kernel', n.kernel.values);
      out.push({ name: n.name, op: n.op, weightSqnrDb: sqnrDb(n.kernel.values, w), outputSqnrDb: sqnrDb(await a[n.name].data(), await b[n.name].data()) });
    }
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    return out;
  } finally {
    float.dispose();
    quant.dispose();
  }
}
