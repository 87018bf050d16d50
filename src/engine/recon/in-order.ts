/**
 * Visits a model's layers in network order with each layer's input statistics taken from the model
 * as it stands at that moment, so a layer sees the inputs that the already-compressed layers before
 * it produce (SparseGPT's and GPTQ's sequential mode). The caller's `visit` rewrites the layer's
 * weights in `g`, which is the caller's working copy.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../errors';
import { compileGraph, frontier, type CompiledGraph } from '../graph/execute';
import type { Graph, WeightedNode } from '../graph/ir';
import { toInputTensorAt } from '../preprocess';
import { calibrationIndices } from '../quantize/calibrate-graph';
import type { ImageDataset, Preprocessing } from '../types';
import { yieldToEventLoop } from '../yield';
import { InputStats, layerShape } from './layer-problem';

export interface CalibrationSet {
  /** Training images (never the test records). */
  images: ImageDataset;
  preprocessing: Preprocessing;
  samples: number;
  seed?: number;
}

export interface InOrderOptions {
  batch?: number;
  signal?: AbortSignal;
  /** Layers done out of all. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The uncompressed model (same layer names): each layer's inputs there are collected too, so a
   * layer can be fitted to the dense model's outputs rather than to its own (InputStats.cross).
   */
  denseTargets?: Graph;
  /**
   * With dense targets, collect W·C instead of C where that is cheaper (InputStats `weighted`): only
   * for a visit that fits each layer's weights as they are when it is visited (the pruner, not the
   * sensitivity analysis in context, which fits the dense model's weights).
   */
  weightedCross?: boolean;
}

export async function visitLayersInOrder(g: Graph, layers: WeightedNode[], cal: CalibrationSet, visit: (n: WeightedNode, stats: InputStats) => void | Promise<void>, o: InOrderOptions = {}): Promise<{ images: number }> {
  const idx = calibrationIndices(cal.images.count, cal.samples, cal.seed ?? 1);
  const batch = o.batch ?? 32;
  const order = new Map(g.nodes.map((n, i) => [n.name, i]));
  const sorted = [...layers].sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  // The calibration batches stay on the backend for every layer (a few MB for 256 CIFAR images).
  const xs: tf.Tensor4D[] = [];
  for (let b = 0; b < idx.length; b += batch) xs.push(toInputTensorAt(cal.images, idx.subarray(b, b + batch), cal.preprocessing));
  // The dense model's weights never change, so it is compiled once.
  const dense = o.denseTargets && compileGraph(o.denseTargets);
  // Per batch, the activations that cross the cut before the layer last visited (its frontier), in
  // the model as it then stood and in the dense model: the next layer's inputs are computed from
  // there, through the layers in between as they stand now, instead of from the images through the
  // whole network again (for MobileNetV1's 27 layers, ~2 forward passes per batch instead of ~27).
  // They stay on the backend between layers: per image, one layer's input (at most 256 KB for
  // MobileNetV1 on 32x32 images), twice with dense targets.
  const cuts: Array<Record<string, tf.Tensor> | undefined> = xs.map(() => undefined);
  const denseCuts: Array<Record<string, tf.Tensor> | undefined> = xs.map(() => undefined);
  const advance = (c: CompiledGraph, from: Record<string, tf.Tensor> | undefined, x: tf.Tensor, names: string[]) => (from ? c.captureFrom(from, names) : c.capture(x, names));
  try {
    for (const [i, n] of sorted.entries()) {
      const stats = new InputStats(layerShape(n), o.weightedCross === true && dense !== undefined);
      const compiled = compileGraph(g);
      const input = n.inputs[0];
      const names = frontier(g, n.name);
      const denseNames = o.denseTargets && frontier(o.denseTargets, n.name);
      try {
        for (const [b, x] of xs.entries()) {
          await yieldToEventLoop();
          o.signal?.throwIfAborted();
          const outs = advance(compiled, cuts[b], x, names);
          tf.dispose(Object.values(cuts[b] ?? {}));
          cuts[b] = outs;
          if (dense) {
            const denseOuts = advance(dense, denseCuts[b], x, denseNames!);
            tf.dispose(Object.values(denseCuts[b] ?? {}));
            denseCuts[b] = denseOuts;
          }
          await stats.add(n, outs[input], denseCuts[b]?.[input]);
        }
      } finally {
        compiled.dispose();
      }
      try {
        await visit(n, stats);
      } catch (e) {
        // A layer whose Hessian cannot be factored even after damping is named, never left with NaN weights.
        if (e instanceof Error && e.message.startsWith('reconstruction:'))
          throw new StudioError('bad-settings', `Layer "${n.name}": ${e.message.slice('reconstruction: '.length)}. Raise the damping (prune parameter damp) or use more calibration images.`, { layer: n.name });
        throw e;
      }
      o.onProgress?.(i + 1, sorted.length);
    }
  } finally {
    tf.dispose(xs);
    for (const c of [...cuts, ...denseCuts]) tf.dispose(Object.values(c ?? {}));
    dense?.dispose();
  }
  return { images: idx.length };
}
