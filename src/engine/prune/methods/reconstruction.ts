/**
 * Pruning with layer-wise reconstruction (SparseGPT, Frantar & Alistarh 2023; OBC, NeurIPS 2022):
 * for each pruned layer in network order, the inputs it sees on calibration images from the model
 * pruned so far give H = Σ x xᵀ; weights go by OBS saliency and the kept ones are updated to
 * compensate (recon/obs.ts), wide layers in blocks (recon/blocks.ts). By default each layer is
 * first fitted to the unpruned model's outputs (recon/blocks.ts fitToDense), so it absorbs the
 * error of the layers pruned before it instead of passing it on. Unstructured, or N:M along
 * the input channels. No training. Unstructured with sensitivity allocation (uniform is the default), the
 * sparsity is the fraction of all pruned layers' weights: each layer's sensitivity is measured
 * first (recon/sensitivity.ts) and the sparsity spread where it costs least (recon/allocate.ts);
 * per-layer overrides stay pinned.
 */
import { StudioError } from '../../errors';
import { cloneGraph, type Graph, type WeightedNode } from '../../graph/ir';
import { inferShapes } from '../../graph/shapes';
import type { PruneSettings } from '../../jobs/compress-settings';
import { pruneParam } from '../../jobs/compress-settings';
import { fromRows, layerShape, toRows, type InputStats } from '../../recon/layer-problem';
import type { Memo } from '../../jobs/compress/types';
import { correctBias, fitToDense, solveInBlocks } from '../../recon/blocks';
import { obsPrune } from '../../recon/obs';
import { refitRows } from '../../recon/refit';
import { visitLayersInOrder, type CalibrationSet } from '../../recon/in-order';
import { allocateSparsity, type LayerCurve } from '../../recon/allocate';
import { cachedPruneSensitivity, fingerprint } from '../../recon/sensitivity-cache';
import { pruneSensitivity, type PruneSensitivityReport } from '../../recon/sensitivity';
import { prunableNodes } from '../unstructured';
// The allocation's grid and held-back count are the studio's sensitivity analysis's defaults, declared
// there, so an analysis at its defaults is this allocation's first pass (and the cache shares it).
import { ALLOCATION_GRID, ALLOCATION_HELD_OUT } from '../../jobs/sensitivity-settings';
import type { Pruner, PruneContext, PruneOutcome } from './pruner';
import type { ReconEstimateInput } from '../../jobs/estimate';

/** SparseGPT's mask-selection block (columns chosen jointly). */
const MASK_BLOCK = 128;

type Progress = (done: number, total: number) => void;

interface Job {
  p: PruneSettings;
  pattern: 'unstructured' | 'n:m';
  damp: number;
  /** Re-solve each row's kept weights exactly once the mask is chosen (recon/refit.ts; the `refit` parameter). */
  refit: boolean;
  calibration: CalibrationSet;
  signal?: AbortSignal;
  /** The model before pruning, when each layer is fitted to its outputs (the `dense` parameter). */
  dense?: Graph;
  /** PruneContext.statsMemo */
  statsMemo?: Memo;
}

function pruneLayer(n: WeightedNode, stats: InputStats, sparsity: number, p: PruneSettings, nm: boolean, damp: number, refit: boolean): Uint8Array {
  const sh = layerShape(n);
  const ws = toRows(n);
  const masks = ws.map((w, g) => {
    const w0 = Float64Array.from(w);
    const nmOpts = nm ? { n: p.n, m: p.m, channels: sh.channels } : undefined;
    const few = stats.vectors(g);
    const cross = stats.crossOf(g);
    if (cross) fitToDense(w, sh.rows, sh.cols, stats.h[g], cross, sh.channels, damp, few);
    const mask = solveInBlocks(w, sh.rows, sh.cols, stats.h[g], sh.channels, (sub, width, hs) => {
      const fit = refit ? Float64Array.from(sub) : sub;
      const m = obsPrune(sub, sh.rows, width, hs, { sparsity, damp, blockSize: MASK_BLOCK, nm: nmOpts, inputs: width === sh.cols ? few : undefined });
      if (refit) refitRows(sub, fit, sh.rows, width, hs, m, damp);
      return m;
    });
    // Reconstruction fits the outputs' second moments; the rest of its error is largely a
    // per-channel shift that the next layers (BatchNorm, ReLU) amplify.
    correctBias(n, g, w0, w, stats.mean(g), sh.rows, sh.cols, stats.denseMean(g), stats.denseOutMean());
    return mask;
  });
  return fromRows(n, ws, masks)!;
}

/**
 * The first pruned layer's input statistics. Nothing before it is pruned, so its inputs are the
 * unchanged model's whatever the recipe: they need no second pass through the dense model (and it
 * has nothing to fit to the dense outputs), which saves a fifth of the custom CNN's pruning time.
 * With `statsMemo` (a preview) they are kept across previews, with the factor computed from them
 * (linalg.ts); the key holds the weights, images and layer.
 */
async function firstStats(g: Graph, first: WeightedNode, job: Job): Promise<InputStats> {
  const collect = async (signal?: AbortSignal) => {
    let out: InputStats | undefined;
    await visitLayersInOrder(g, [first], job.calibration, (_n, st) => void (out = st), { signal });
    return out!;
  };
  if (!job.statsMemo) return collect(job.signal);
  const key = `recon-stats:${fingerprint(g, job.calibration.images)}:${job.calibration.samples}:${job.calibration.seed ?? 1}:${first.name}`;
  // Not cancelled with the request that started it: a newer preview waits for the same promise.
  const stats = await job.statsMemo(key, () => collect());
  job.signal?.throwIfAborted();
  return stats;
}

/** Prunes `names` of `g` in network order, in place, each to its sparsity. */
async function pruneInOrder(g: Graph, names: ReadonlySet<string>, sparsityOf: (name: string) => number, job: Job, onProgress?: Progress) {
  const masks = new Map<string, Uint8Array>();
  const layers = g.nodes.filter((n): n is WeightedNode => names.has(n.name));
  if (layers.length === 0) return { masks, images: Math.min(job.calibration.samples, job.calibration.images.count) };
  const [first, ...rest] = layers;
  masks.set(first.name, pruneLayer(first, await firstStats(g, first, job), sparsityOf(first.name), job.p, job.pattern === 'n:m', job.damp, job.refit));
  onProgress?.(1, layers.length);
  const done = layers.length - rest.length;
  const { images } = await visitLayersInOrder(g, rest, job.calibration, (n, stats) => void masks.set(n.name, pruneLayer(n, stats, sparsityOf(n.name), job.p, job.pattern === 'n:m', job.damp, job.refit)), {
    signal: job.signal,
    onProgress: onProgress && ((k, total) => onProgress(done + k, done + total)),
    denseTargets: job.dense,
    // Each layer is fitted here with the weights it has when visited (fitToDense on toRows(n)).
    weightedCross: true,
  });
  return { masks, images };
}

function curvesOf(layers: readonly WeightedNode[], report: PruneSensitivityReport): LayerCurve[] {
  const measured = new Map(report.layers.map((l) => [l.layer, l]));
  return layers.map((n) => ({ layer: n.name, weights: n.kernel.values.length, points: (measured.get(n.name)?.prune ?? []).map((x) => ({ sparsity: x.sparsity, cost: x.divergence })) }));
}

function sensitivityOptions(job: Job, layers: readonly WeightedNode[]) {
  const free = layers.filter((n) => !(n.name in job.p.overrides)).map((n) => n.name);
  return { heldOut: ALLOCATION_HELD_OUT, granularity: 'per-channel' as const, damp: job.damp, layers: free, signal: job.signal };
}

/** The layers `obs` prunes in `g` (those of the chosen kinds, and any override names), in network order. */
export function reconLayers(g: Graph, p: PruneSettings, pattern: 'unstructured' | 'n:m' = 'unstructured'): WeightedNode[] {
  const chosen = new Set(prunableNodes(g, { kind: 'per-layer', sparsity: p.sparsity, layerKinds: p.layerKinds, spareFirstLast: p.spareFirstLast }).map((n) => n.name));
  if (pattern === 'unstructured') for (const name of Object.keys(p.overrides)) chosen.add(name);
  const layers = g.nodes.filter((n): n is WeightedNode => chosen.has(n.name));
  const known = new Set(layers.map((n) => n.name));
  for (const name of Object.keys(p.overrides)) if (!known.has(name)) throw new StudioError('bad-settings', `Per-layer override names "${name}", which is not a conv, depthwise or dense layer of this model.`, { layer: name });
  return layers;
}

/**
 * The first allocation pass's curves: each layer's sensitivity on the dense model, cached per
 * weights (sensitivity-cache.ts) under the same key whoever asks, so the automatic search's
 * candidates and a later Compress share one analysis.
 */
export async function denseCurves(g: Graph, p: PruneSettings, calibration: CalibrationSet, o: { signal?: AbortSignal; onProgress?: Progress } = {}): Promise<{ curves: LayerCurve[]; reused: boolean }> {
  const layers = reconLayers(g, p);
  const job: Job = { p, pattern: 'unstructured', damp: pruneParam(p, 'damp'), refit: pruneParam(p, 'refit') === 1, calibration: { ...calibration, samples: pruneParam(p, 'images') }, signal: o.signal };
  const first = await cachedPruneSensitivity(g, job.calibration, { ...sensitivityOptions(job, layers), sparsities: [...ALLOCATION_GRID], onProgress: o.onProgress });
  return { curves: curvesOf(layers, first.report), reused: first.reused };
}

/**
 * Per-layer sparsities for a global target, in two passes. First each layer's sensitivity on the
 * dense model (cached per model), allocated. Measured there, every other layer is intact and
 * absorbs the change, so early layers look cheaper than they are once everything is pruned
 * (MNIST, 80%: −1.03 points from this pass alone, before dense targets). So the model is pruned to
 * that first allocation and each layer measured again in that context, from the divergence to the
 * dense model, and the sparsity allocated once more from those marginal costs (−0.40 points; with
 * dense targets −0.15; CIFAR-10 70%: one pass −2.60, two −1.30). `passes=1` stops after the first.
 */
async function allocate(work: Graph, layers: WeightedNode[], job: Job, phase: (k: number) => Progress) {
  const { p } = job;
  const common = sensitivityOptions(job, layers);
  const seconds: number[] = [];
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await f();
    seconds.push(Math.round((performance.now() - t0) / 100) / 10);
    return out;
  };
  const first = await timed(() => cachedPruneSensitivity(work, job.calibration, { ...common, sparsities: [...ALLOCATION_GRID], onProgress: phase(0) }));
  const a1 = allocateSparsity(curvesOf(layers, first.report), p.sparsity, p.overrides);
  const common1 = { allocation: 'sensitivity', firstPassSparsities: a1.sparsities, sensitivityReused: first.reused };
  if (pruneParam(p, 'passes') === 1) return { sparsities: a1.sparsities, detail: { ...common1, layerSparsities: a1.sparsities, passes: 1, phaseSeconds: { sensitivity: seconds[0] } } };
  const context = cloneGraph(work);
  await timed(() => pruneInOrder(context, new Set(layers.map((n) => n.name)), (name) => a1.sparsities[name], job, phase(1)));
  // Pruning trials only: the int8 trial is the dense pass's (the view's), and allocation does not read it.
  const second = await timed(() => pruneSensitivity(context, job.calibration, { ...common, sparsities: [0, ...ALLOCATION_GRID], dense: work, fitToDense: job.dense !== undefined, onProgress: phase(2) }));
  const a2 = allocateSparsity(curvesOf(layers, second), p.sparsity, p.overrides);
  return {
    sparsities: a2.sparsities,
    detail: {
      ...common1,
      layerSparsities: a2.sparsities,
      passes: 2,
      sensitivityHeldOut: second.heldOutImages,
      // Where the time goes (the analysis in the dense model, the first pruning, the analysis in context), in seconds.
      phaseSeconds: { sensitivity: seconds[0], firstPrune: seconds[1], contextSensitivity: seconds[2] },
    },
  };
}

export function reconstructionPruner(pattern: 'unstructured' | 'n:m'): Pruner {
  return {
    work: (g, p): ReconEstimateInput => {
      const shapes = inferShapes(g);
      const byLayer = pattern === 'unstructured' && p.allocation === 'sensitivity';
      const two = byLayer && pruneParam(p, 'passes') > 1;
      return {
        layers: reconLayers(g, p, pattern).map((n) => {
          const out = shapes.get(n.name)!;
          return { ...layerShape(n), positions: out.length === 3 ? out[0] * out[1] : 1 };
        }),
        calibrationImages: pruneParam(p, 'images'),
        heldOutImages: byLayer ? ALLOCATION_HELD_OUT : 0,
        // The analysis in the dense model, and in context from sparsity 0.
        trialsPerLayer: byLayer ? ALLOCATION_GRID.length + (two ? ALLOCATION_GRID.length + 1 : 0) : 0,
        prunePasses: two ? 2 : 1,
        denseTargets: pruneParam(p, 'dense') === 1,
        refit: pruneParam(p, 'refit') === 1,
      };
    },
    prune: async (g, p, ctx: PruneContext): Promise<PruneOutcome> => {
      if (!ctx.calibration) throw new StudioError('bad-settings', `${p.method} pruning reconstructs each layer from calibration images, and this job has no training images to draw them from.`, { method: p.method });
      const work = cloneGraph(g);
      const layers = reconLayers(work, p, pattern);
      const known = new Set(layers.map((n) => n.name));
      const job: Job = {
        p,
        pattern,
        damp: pruneParam(p, 'damp'),
        refit: pruneParam(p, 'refit') === 1,
        calibration: { ...ctx.calibration, samples: pruneParam(p, 'images') },
        signal: ctx.signal,
        dense: pruneParam(p, 'dense') ? g : undefined,
        statsMemo: ctx.statsMemo,
      };
      const byLayer = pattern === 'unstructured' && p.allocation === 'sensitivity';
      // With an allocation: analysis, (first pruning, analysis in context,) final pruning.
      const parts = byLayer ? (pruneParam(p, 'passes') === 1 ? 2 : 4) : 1;
      const phase =
        (k: number): Progress =>
        (done, total) =>
          ctx.onProgress?.(k * total + done, parts * total);
      const planned = byLayer ? await allocate(work, layers, job, phase) : undefined;
      const stop = byLayer || ctx.upTo === undefined ? -1 : work.nodes.findIndex((n) => n.name === ctx.upTo);
      if (stop >= 0) for (const n of work.nodes.slice(stop + 1)) known.delete(n.name);
      const { masks, images } = await pruneInOrder(work, known, (name) => planned?.sparsities[name] ?? p.overrides[name] ?? p.sparsity, job, phase(parts - 1));
      return { graph: work, masks, detail: { calibrationImages: images, calibrationSource: 'training split', ...(planned?.detail ?? (pattern === 'unstructured' ? { allocation: 'uniform' } : {})) } };
    },
  };
}

export const reconstruction = reconstructionPruner('unstructured');
export const reconstructionNm = reconstructionPruner('n:m');
