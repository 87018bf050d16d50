/**
 * Automatic search under a budget (issue 18): the total sparsity t of reconstruction pruning
 * (`obs`), spread over the layers by their sensitivity (or uniformly), is bisected until the
 * budget's boundary is bracketed (recon/budget-search.ts). Each candidate is the model the
 * compress job would make from it: pruned with reconstruction, quantized as the settings say,
 * then measured on held-back *training* images and sized with the report's own figures.
 *
 * What it sees: the model and the training split, nothing else. The held-back images are records
 * of the training split's seeded permutation after every calibration set (pruning's, the
 * sensitivity analysis's and quantization's), so selection never reads a calibration image, and
 * the test records, which the compress job reports on, never reach this module at all.
 *
 * Cost: the dense sensitivity analysis once (cached per weights, shared with Compress), then per
 * candidate one pruning pass in network order, one calibration and one held-back evaluation.
 * Candidates use the first allocation pass only; the in-context second pass (reconstruction.ts)
 * would multiply a candidate's cost by about three. The pick is compressed from its per-layer
 * sparsities as they are, so the model the job measures on the test records is the candidate.
 */
import { checkBudget, type AutoBudget } from '../choices/auto-budget';
import type { BoardId } from '../choices/deploy';
import { QUANT_MODES } from '../choices/quantize';
import { type PruneAllocation } from '../choices/prune';
import { StudioError } from '../errors';
import { evaluate } from '../evaluate';
import { planArena, checkFit, getProfile } from '../export/mcu-fit';
import { exportFloat32Tflite, exportInt8Tflite } from '../export/tflite/export';
import { compileGraph } from '../graph/execute';
import type { Graph } from '../graph/ir';
import { prepareForInference } from '../graph/rewrite';
import { staticReport } from '../metrics/model-report';
import { denseCurves, reconLayers } from '../prune/methods/reconstruction';
import { ALLOCATION_GRID, ALLOCATION_HELD_OUT } from './sensitivity-settings';
import { PRUNERS } from '../prune/methods/registry';
import type { QuantizedModel } from '../quantize/quantize-graph';
import { compileQuantized } from '../quantize/simulate';
import { allocateSparsity, type LayerCurve } from '../recon/allocate';
import { type AutoCandidate, bisectBudget, type BoardFit, type Measured, mostCandidates, pickCandidate } from '../recon/budget-search';
import { heldOutSet } from '../recon/sensitivity';
import type { BaselineEntry, ImageDataset, Preprocessing } from '../types';
import { loadDataset } from '../data/load';
import { getDataset } from '../data/registry';
import { graphFromLayersModel } from '../graph/from-layers';
import { loadLayersModel } from '../models/load';
import { type CompressSettings, pruneParam, validateCompressSettings } from './compress-settings';
import type { CompressContext } from './compress/types';
import { quantizeModel } from './compress/quantize-stage';

/** Held-back images the candidates are judged on by default: on 1,000 the paired difference of two models' accuracy moves by a few tenths of a point. */
export const AUTO_HELD_OUT = 1000;
/** The bisection stops when the bracket is this narrow (in total sparsity): 6 halvings of 0.95. */
export const AUTO_TOLERANCE = 0.02;

export interface AutoSearchInput {
  /** The unchanged model (before BatchNorm folding). */
  graph: Graph;
  /** The training split: calibration and held-back images both come from it. */
  train: ImageDataset;
  preprocessing: Preprocessing;
  /** The recipe each candidate follows; its prune.sparsity and prune.method are the search's to set. */
  settings: CompressSettings;
  budget: AutoBudget;
  allocation?: PruneAllocation;
  heldOut?: number;
  tolerance?: number;
  signal?: AbortSignal;
  onProgress?: (phase: 'sensitivity' | 'candidate', done: number, total: number) => void;
  onCandidate?: (c: AutoCandidate, index: number) => void;
}

export interface AutoSearchResult {
  candidates: AutoCandidate[];
  pick: AutoCandidate;
  reason: string;
  /** The unchanged float model's accuracy on the held-back images. */
  baselineHeldOutAccuracy: number;
  heldOutImages: number;
  /** Where the held-back images start in the training split's seeded permutation (after every calibration set). */
  heldOutFrom: number;
  allocation: PruneAllocation;
  /** Whether the dense sensitivity analysis came from the cache. */
  sensitivityReused: boolean;
  /** The settings that compress the pick: its per-layer sparsities pinned, as the candidate was made. */
  pickSettings: CompressSettings;
  elapsedMs: number;
}

/**
 * The settings that make the candidate with these per-layer sparsities: obs with every layer
 * pinned. Nothing pruned is no pruning at all (obs at 0 leaves the weights as they are, and
 * costs a pass over every layer).
 */
export function candidateSettings(s: CompressSettings, sparsity: number, layerSparsities: Record<string, number>): CompressSettings {
  if (Object.values(layerSparsities).every((x) => x === 0)) return { ...s, prune: { ...s.prune, method: 'none', sparsity: 0, overrides: {} } };
  return { ...s, prune: { ...s.prune, method: 'obs', allocation: 'uniform', sparsity: Math.round(sparsity * 1e4) / 1e4, overrides: { ...layerSparsities } } };
}

/** The fit of the file the studio would export: the int8 .tflite, or the float32 one when nothing is quantized. */
function fitOf(q: QuantizedModel | undefined, inf: Graph, board: BoardId): BoardFit {
  const art = q?.mode === 'int8' ? exportInt8Tflite(q) : exportFloat32Tflite(inf);
  const plan = planArena(art.bytes);
  const fit = checkFit(art.summary.sizeBytes, plan, getProfile(board));
  return { fits: fit.fits, flashBytes: art.summary.sizeBytes, arenaBytes: plan.arenaBytes, verdict: fit.verdict };
}

export async function autoSearch(input: AutoSearchInput): Promise<AutoSearchResult> {
  const t0 = performance.now();
  const { graph, train, preprocessing, budget, signal } = input;
  const allocation = input.allocation ?? 'sensitivity';
  const s: CompressSettings = { ...input.settings, prune: { ...input.settings.prune, method: 'obs', allocation } };
  const quant = QUANT_MODES.get(s.quant.mode);
  if (budget.kind === 'board' && s.quant.mode !== 'int8' && s.quant.mode !== 'none')
    throw new StudioError('bad-settings', `A board budget checks the .tflite the studio exports: full-integer int8, or float32 without quantization; "${s.quant.mode}" exports neither.`, { field: 'quant.mode' });
  const calibration = { images: train, preprocessing, samples: s.quant.calibration.samples };
  const pruneImages = pruneParam(s.prune, 'images');
  const heldOutFrom = Math.max(pruneImages + ALLOCATION_HELD_OUT, s.quant.calibration.samples);
  const held = heldOutSet(train, heldOutFrom, input.heldOut ?? AUTO_HELD_OUT, 1);
  if (held.count < 100)
    throw new StudioError('bad-settings', `The search judges candidates on held-back training images after the first ${heldOutFrom} (calibration), and the training split has only ${train.count} images.`, { field: 'auto.heldOut' });

  // The unchanged model's predictions on the held-back images: the reference for loss and agreement.
  const inf0 = prepareForInference(graph);
  const c0 = compileGraph(inf0);
  let reference: Uint8Array;
  let baselineHeldOutAccuracy: number;
  try {
    const e = await evaluate(c0, held, preprocessing, { signal });
    reference = e.predictions;
    baselineHeldOutAccuracy = e.metrics.accuracy;
  } finally {
    c0.dispose();
  }

  const layers = reconLayers(graph, s.prune);
  const weights = new Map(layers.map((n) => [n.name, n.kernel.values.length]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  let curves: LayerCurve[] = [];
  let sensitivityReused = false;
  if (allocation === 'sensitivity') {
    const d = await denseCurves(graph, s.prune, calibration, { signal, onProgress: (done, n) => input.onProgress?.('sensitivity', done, n) });
    curves = d.curves;
    sensitivityReused = d.reused;
  }
  const maxLayer = ALLOCATION_GRID[ALLOCATION_GRID.length - 1];
  const pinned = s.prune.overrides;
  // The bisected figure: the total the sensitivity allocation spreads (at most every free layer
  // at the grid's top, pinned ones as pinned), or the one sparsity of every free layer.
  const most = allocation === 'sensitivity' ? layers.reduce((a, n) => a + (n.name in pinned ? pinned[n.name] : maxLayer) * weights.get(n.name)!, 0) / total : maxLayer;
  const spread = (t: number): Record<string, number> => {
    if (allocation === 'sensitivity') return allocateSparsity(curves, t, pinned).sparsities;
    return Object.fromEntries(layers.map((n) => [n.name, n.name in pinned ? pinned[n.name] : t]));
  };

  const trial = async (t: number): Promise<Measured> => {
    const started = performance.now();
    const layerSparsities = spread(t);
    const sparsity = layers.reduce((a, n) => a + layerSparsities[n.name] * weights.get(n.name)!, 0) / total;
    const cs = candidateSettings(s, sparsity, layerSparsities);
    const pruned = await PRUNERS[cs.prune.method].prune(graph, cs.prune, { calibration, signal });
    const inf = prepareForInference(pruned.graph);
    const q = quant.id === 'none' ? undefined : (await quantizeModel(inf, quant.id, cs, train, preprocessing, { signal })).quantized;
    const model = q ? compileQuantized(q) : compileGraph(inf);
    let predictions: Uint8Array;
    let accuracy: number;
    try {
      const e = await evaluate(model, held, preprocessing, { signal });
      predictions = e.predictions;
      accuracy = e.metrics.accuracy;
    } finally {
      model.dispose();
    }
    const size = staticReport(inf, quant.format, q).size;
    const agree = predictions.reduce((a, p, i) => a + (p === reference[i] ? 1 : 0), 0) / held.count;
    const m: Measured = {
      sparsity,
      layerSparsities,
      heldOutAccuracy: accuracy,
      dropPts: (baselineHeldOutAccuracy - accuracy) * 100,
      agreement: agree,
      gzipBytes: size.gzipBytes,
      sparseBytes: size.sparseBytes,
      ...(budget.kind === 'board' ? { fit: fitOf(q, inf, budget.board) } : {}),
      elapsedMs: performance.now() - started,
    };
    return m;
  };
  const bounds = { maxSparsity: most, tolerance: input.tolerance ?? AUTO_TOLERANCE };
  const candidates = await bisectBudget(budget, trial, {
    ...bounds,
    signal,
    onCandidate: (c, i) => {
      input.onProgress?.('candidate', i + 1, mostCandidates(bounds));
      input.onCandidate?.(c, i);
    },
  });
  const { pick, reason } = pickCandidate(budget, candidates);
  return {
    candidates,
    pick,
    reason,
    baselineHeldOutAccuracy,
    heldOutImages: held.count,
    heldOutFrom,
    allocation,
    sensitivityReused,
    pickSettings: candidateSettings(s, pick.sparsity, pick.layerSparsities),
    elapsedMs: performance.now() - t0,
  };
}

/**
 * The search on a shipped baseline, for the CLI and the worker: loads the model and the training
 * split (the test records are not loaded) and runs `autoSearch`.
 */
export async function autoSearchBaseline(
  entry: BaselineEntry,
  settings: CompressSettings,
  budget: AutoBudget,
  ctx: Pick<CompressContext, 'read' | 'signal'> & Pick<AutoSearchInput, 'allocation' | 'heldOut' | 'tolerance' | 'onProgress' | 'onCandidate'>,
): Promise<AutoSearchResult> {
  validateCompressSettings(settings);
  const checked = checkBudget(budget);
  const d = getDataset(entry.dataset);
  const loaded = await loadLayersModel(entry.path, ctx.read, entry.files);
  let graph: Graph;
  try {
    graph = graphFromLayersModel(loaded.model);
  } finally {
    loaded.model.dispose();
  }
  const train = await loadDataset(d, 'train', (name) => ctx.read(`data/${d.id}/${name}`));
  return autoSearch({ ...ctx, graph, train, preprocessing: entry.preprocessing, settings, budget: checked });
}
