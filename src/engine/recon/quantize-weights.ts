/**
 * INT8 weights with reconstruction, before the quantizer runs: GPTQ rounding (Frantar et al. 2022,
 * arXiv:2210.17323) fixes each layer's weights column by column to the int8 grid and pushes each
 * rounding error onto the columns not yet rounded; bias correction (Nagel et al. 2019,
 * arXiv:1906.04721) then gives each output back the mean the rounding moved. The result is a
 * float graph whose kernels lie exactly on the grid that quantize-graph.ts computes from them, so
 * the simulated model, the .tflite and the C array all carry these int8 values without a format
 * of their own.
 *
 * GPTQ rather than AdaRound: the same OBS machinery as the pruning (recon/obs.ts), closed form, no
 * per-layer optimisation loop; on a CPU in a browser that is seconds instead of minutes per layer.
 */
import type { BiasCorrection, Granularity, Rounding } from '../choices/quantize';
import { cloneGraph, type Graph, isWeighted, type WeightedNode } from '../graph/ir';
import { kernelParams } from '../quantize/quantize-graph';
import { fromRows, layerShape, toRows, type InputStats } from './layer-problem';
import { correctBias, solveInBlocks } from './blocks';
import { reconstructColumns } from './obs';
import { visitLayersInOrder, type CalibrationSet, type InOrderOptions } from './in-order';

export interface WeightReconOptions {
  rounding: Rounding;
  biasCorrection: BiasCorrection;
  granularity: Granularity;
  damp?: number;
}

/** Whether the options change anything (nearest rounding without bias correction is what the quantizer does anyway). */
export const reconstructsWeights = (o: Pick<WeightReconOptions, 'rounding' | 'biasCorrection'>): boolean => o.rounding !== 'nearest' || o.biasCorrection !== 'none';

/**
 * Puts `ws` (the layer's W per group, from toRows) on the layer's int8 grid in place, by nearest
 * rounding or GPTQ against `stats`; the node itself is not changed.
 */
export function roundRows(n: WeightedNode, ws: Float64Array[], stats: InputStats | undefined, o: Pick<WeightReconOptions, 'rounding' | 'granularity' | 'damp'>): void {
  const sh = layerShape(n);
  const params = kernelParams(n, o.granularity);
  // Row r of group g is output channel g·rows + r (depthwise channel g, multiplier r).
  const scaleOf = (g: number, r: number): number => params[params.length === 1 ? 0 : g * sh.rows + r].scale;
  // The weight that sets each scale stays at ±127 so that the quantizer, recomputing the scale
  // from these weights, finds the same scale (and so the same int8 values).
  const pinned = new Set<number>();
  const pinKey = (g: number, r: number, c: number) => (g * sh.rows + r) * sh.cols + c;
  const best = new Map<number, [number, number]>();
  ws.forEach((w, g) => {
    for (let r = 0; r < sh.rows; r++) {
      for (let c = 0; c < sh.cols; c++) {
        const key = params.length === 1 ? 0 : g * sh.rows + r;
        const a = Math.abs(w[r * sh.cols + c]);
        if (!best.has(key) || a > best.get(key)![0]) best.set(key, [a, pinKey(g, r, c)]);
      }
    }
  });
  for (const [, [a, k]] of best) if (a > 0) pinned.add(k);
  ws.forEach((w, g) => {
    const w0 = Float64Array.from(w);
    const target = (r: number, c: number, v: number): number => {
      const i = r * sh.cols + c;
      // A pruned weight stays pruned.
      if (w0[i] === 0) return 0;
      const s = scaleOf(g, r);
      if (pinned.has(pinKey(g, r, c))) return Math.sign(w0[i]) * 127 * s;
      return Math.max(-127, Math.min(127, Math.round(v / s))) * s;
    };
    if (o.rounding === 'gptq' && stats) {
      solveInBlocks(w, sh.rows, sh.cols, stats.h[g], sh.channels, (sub, width, hs, c0) => void reconstructColumns(sub, sh.rows, width, hs, { damp: o.damp ?? 0.01 }, { target: (r, c, v) => target(r, c0 + c, v) }));
    } else for (let r = 0; r < sh.rows; r++) for (let c = 0; c < sh.cols; c++) w[r * sh.cols + c] = target(r, c, w[r * sh.cols + c]);
  });
}

function quantizeLayer(n: WeightedNode, stats: InputStats, o: WeightReconOptions): void {
  const sh = layerShape(n);
  const ws = toRows(n);
  const w0s = ws.map((w) => Float64Array.from(w));
  roundRows(n, ws, stats, o);
  if (o.biasCorrection === 'mean') ws.forEach((w, g) => correctBias(n, g, w0s[g], w, stats.mean(g), sh.rows, sh.cols));
  fromRows(n, ws);
}

/** A copy of the inference graph `g` (BatchNorm folded) with every weighted layer's kernel on its int8 grid. */
export async function reconstructInt8Weights(g: Graph, cal: CalibrationSet, o: WeightReconOptions, run: InOrderOptions = {}): Promise<Graph> {
  const work = cloneGraph(g);
  const layers = work.nodes.filter(isWeighted);
  await visitLayersInOrder(work, layers, cal, (n, stats) => quantizeLayer(n, stats, o), run);
  return work;
}
