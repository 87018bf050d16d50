/**
 * Parameter and MAC counts read off a built LayersModel.
 * MACs count multiply-accumulates of conv, depthwise conv and dense layers per image (the usual
 * convention: BatchNorm, activations, pooling and adds are not counted).
 */
import type * as tf from '@tensorflow/tfjs';

export interface LayerSummary {
  name: string;
  className: string;
  params: number;
  macs: number;
  outputShape: number[];
}

export interface ModelSummary {
  params: number;
  trainableParams: number;
  macs: number;
  float32Bytes: number;
  layers: LayerSummary[];
}

function shapeOf(s: tf.Shape | tf.Shape[]): number[] {
  const one = (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
  return one.slice(1).map((d) => d ?? 0);
}

export function layerMacs(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  const out = shapeOf(layer.outputShape);
  const w = layer.getWeights();
  if (cls === 'Conv2D') {
    const [kh, kw, cin, cout] = w[0].shape;
    return out[0] * out[1] * kh * kw * cin * cout;
  }
  if (cls === 'DepthwiseConv2D') {
    const [kh, kw, cin, mult] = w[0].shape;
    return out[0] * out[1] * kh * kw * cin * mult;
  }
  if (cls === 'Dense') {
    const [cin, cout] = w[0].shape;
    return cin * cout;
  }
  return 0;
}

export function summarize(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    params: layer.countParams(),
    macs: layerMacs(layer),
    outputShape: shapeOf(layer.outputShape),
  }));
  const params = layers.reduce((a, l) => a + l.params, 0);
  const trainableParams = model.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((p, d) => p * d, 1), 0);
  return { params, trainableParams, macs: layers.reduce((a, l) => a + l.macs, 0), float32Bytes: params * 4, layers };
}
