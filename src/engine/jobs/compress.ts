/**
 * The compression job: baseline -> prune (one-shot or gradual, by the method's pruner) -> fine-tune
 * -> quantize (full integer, weight-only, float16) -> measure, with every stage's settings and
 * intermediate metrics recorded. Runs in the Worker and in Node alike. Each stage is a module of
 * jobs/compress/; this file loads the model and data and runs them in order.
 *
 * Before and after are measured the same way: both as inference graphs (BatchNorm folded) run by
 * the engine's executor on the same backend and the same test records, so a difference is the
 * compression's, not the harness's. Quantized accuracy is the simulated int8 model's (see
 * quantize/simulate.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { QUANT_MODES } from '../choices/quantize';
import { loadDataset, type ReadFile } from '../data/load';
import { evaluate, type Evaluation } from '../evaluate';
import { caveatsFor, getDataset, type DatasetDescriptor } from '../data/registry';
import { reconstructsWeights } from '../recon/quantize-weights';
import { compileGraph } from '../graph/execute';
import { graphFromLayersModel } from '../graph/from-layers';
import type { Graph } from '../graph/ir';
import { prepareForInference } from '../graph/rewrite';
import { loadLayersModel } from '../models/load';
import type { QuantizedModel } from '../quantize/quantize-graph';
import { compileQuantized } from '../quantize/simulate';
import type { LayerSqnr } from '../quantize/sqnr';
import type { BaselineEntry, ClassificationMetrics, ImageDataset } from '../types';
import { type CompressSettings, pruneMethodOf, validateCompressSettings } from './compress-settings';
import { finetuneStage } from './compress/finetune-stage';
import { flippedPredictions, layerReports } from './compress/layer-report';
import { brief, measure } from './compress/measure';
import { pruneStage } from './compress/prune-stage';
import { quantizeStage } from './compress/quantize-stage';
import type { CompressContext, CompressResult, Memo, StageRecord } from './compress/types';
import { runSentence } from './run-sentence';
import { describeEstimate, estimateCompress } from './estimate-compress';
import { measureMacPerSecond } from './device-speed';
import { StudioError } from '../errors';

export type { CompressContext, CompressedModels, CompressResult, CompressStage, FlippedPrediction, LayerReport, Memo, StageFigures, StageRecord } from './compress/types';

const fresh: Memo = (_key, make) => make();
const isAbort = (e: unknown) => (e as { name?: unknown } | undefined)?.name === 'AbortError';

/** The keys a job, a preview and the warm-up share their inputs under (a model is its id and path). */
const keys = {
  graph: (model: string) => `graph:${model}`,
  /** The model as an inference graph (BatchNorms folded), kept by previews. */
  inference: (model: string) => `inference:${model}`,
  /** Test records depend on the dataset and the range only: models of one dataset share one copy. */
  test: (entry: BaselineEntry, count: number) => `test:${entry.dataset}:${entry.testData.first}:${count}`,
  /** The first `count` training records (all when undefined), kept by previews and the layer picture only. */
  train: (model: string, count: number | undefined) => `train:${model}:${count ?? 'all'}`,
  /** The unchanged model's predictions on those records, on the active backend. */
  baselineEval: (model: string, count: number) => `baseline-eval:${model}:${count}:${tf.getBackend()}`,
};

const modelKey = (entry: BaselineEntry) => `${entry.id}:${entry.path}`;

/**
 * The model's graph, kept under its key for every request that reads it (a job, a preview, the
 * layer picture, the warm-up). The graph is never modified in place: pruning and folding work on copies.
 */
export function loadGraph(entry: BaselineEntry, read: ReadFile, memo: Memo): Promise<Graph> {
  return memo(keys.graph(modelKey(entry)), async () => {
    const loaded = await loadLayersModel(entry.path, read, entry.files);
    try {
      return graphFromLayersModel(loaded.model);
    } finally {
      loaded.model.dispose();
    }
  });
}

/** How many of the model's test records a run with this limit evaluates. */
const testCount = (entry: BaselineEntry, evalLimit: number | undefined) => Math.min(entry.testData.count, evalLimit ?? Infinity);

/**
 * The first `count` training records (all of them when undefined) under the key a preview and the
 * layer picture share them by.
 */
export function loadTrain(entry: BaselineEntry, count: number | undefined, read: ReadFile, memo: Memo): Promise<ImageDataset> {
  const d = getDataset(entry.dataset);
  return memo(keys.train(modelKey(entry), count), () => loadDataset(d, 'train', (name) => read(`data/${d.id}/${name}`), count ? { count } : {}));
}

/**
 * A job keeps a small training subset for the next job (a calibration set, a short fine-tuning's
 * images): reading it again means fetching the whole first file of the split (MNIST: 9.7 MB) to
 * inflate its head. All of a split is too much to keep (CIFAR-10: 150 MB), and so is a large subset.
 */
const KEEP_TRAIN_BYTES = 4 * 2 ** 20;

export function keepsTrain(d: DatasetDescriptor, count: number | undefined): boolean {
  return count !== undefined && count * d.shape[0] * d.shape[1] * d.shape[2] <= KEEP_TRAIN_BYTES;
}

function loadTest(entry: BaselineEntry, count: number, read: ReadFile, memo: Memo): Promise<ImageDataset> {
  const d = getDataset(entry.dataset);
  return memo(keys.test(entry, count), () => loadDataset(d, 'test', (name) => read(`data/${d.id}/${name}`), { first: entry.testData.first, count }));
}

/**
 * Work done ahead of need, while the page is idle: the unchanged model's evaluation on the test
 * records a Compress with this limit will evaluate, kept where the job looks for it (`reuse`), so
 * the user's first Compress finds its "before" figures made. Exactly the job's own computation
 * (same graph, same records, same backend); `between` lets the user's requests go first.
 */
export async function warmBaseline(entry: BaselineEntry, evalLimit: number | undefined, ctx: { read: ReadFile; reuse: Memo; signal?: AbortSignal; between?: () => Promise<void> }): Promise<ClassificationMetrics> {
  // Loading the model and records is work ahead of need too, and one long task (a CIFAR-10 preview
  // once waited 1.2 s beyond its own work behind it).
  await ctx.between?.();
  ctx.signal?.throwIfAborted();
  const g0 = await loadGraph(entry, ctx.read, ctx.reuse);
  const count = testCount(entry, evalLimit);
  const test = await loadTest(entry, count, ctx.read, ctx.reuse);
  const ev = await ctx.reuse(keys.baselineEval(modelKey(entry), count), async () => {
    const c0 = compileGraph(prepareForInference(g0));
    try {
      // Small batches, so a preview waiting at `between` waits for little (the predictions do not depend on the batch).
      return await evaluate(c0, test, entry.preprocessing, { batch: 64, between: ctx.between, signal: ctx.signal });
    } finally {
      c0.dispose();
    }
  });
  return ev.metrics;
}

export async function compressBaseline(entry: BaselineEntry, settings: CompressSettings, ctx: CompressContext): Promise<CompressResult> {
  validateCompressSettings(settings);
  const s = settings;
  const t0 = performance.now();
  const d = getDataset(entry.dataset);
  const quant = QUANT_MODES.get(s.quant.mode);
  // A preview keeps what it loads (and the baseline's figures) for the next one; a job takes the
  // model, the records and the unchanged model's predictions from earlier jobs where it may.
  const kept: Memo = ctx.quick?.memo ?? ctx.reuse ?? fresh;
  // An entry still being made belongs to the job that started it: when that job is cancelled, this
  // one (not cancelled) makes the entry itself instead of failing with the other's cancel.
  const memo: Memo = (key, make) => kept(key, make).catch((e: unknown) => (isAbort(e) && !ctx.signal?.aborted ? kept(key, make) : Promise.reject(e)));
  const model = modelKey(entry);
  ctx.onProgress?.('load-model', 0, 1);
  const g0 = await loadGraph(entry, ctx.read, memo);
  if (ctx.askAbove !== undefined && !ctx.quick) {
    const estimate = estimateCompress(entry, s, g0, await measureMacPerSecond());
    if (estimate.totalSeconds > ctx.askAbove) throw new StudioError('needs-confirmation', `This job is estimated at ${describeEstimate(estimate)}.`, { seconds: Math.round(estimate.totalSeconds) });
  }
  ctx.onProgress?.('load-data', 0, 1);
  const count = testCount(entry, s.evalLimit);
  const test = await loadTest(entry, count, ctx.read, memo);
  const needsTrain = s.finetune.epochs > 0 || quant.calibrates || (quant.int8Weights && reconstructsWeights(s.quant)) || pruneMethodOf(s.prune).needsCalibrationData;
  const trainCount = s.finetune.trainLimit ? Math.max(s.finetune.trainLimit, s.quant.calibration.samples) : undefined;
  const train = needsTrain ? await loadTrain(entry, trainCount, ctx.read, ctx.quick || keepsTrain(d, trainCount) ? memo : fresh) : undefined;
  ctx.signal?.throwIfAborted();

  const stages: StageRecord[] = [];
  const disposers: Array<() => void> = [];
  try {
    // Before: the baseline as an inference graph, which a preview keeps with the model (read only
    // from here on; folding MobileNetV1 1.0's BatchNorms took about 0.1 s of each preview).
    const inf0 = ctx.quick ? await memo(keys.inference(model), () => Promise.resolve(prepareForInference(g0))) : prepareForInference(g0);
    // A job takes the unchanged model's evaluation from earlier work. A preview keeps its whole
    // "before" instead and never waits on the warm-up's entry: the warm-up waits for live requests
    // (previews) between its batches, so a preview waiting on it would wait for ever.
    const evaluation = ctx.quick ? undefined : (run: () => Promise<Evaluation>) => memo(keys.baselineEval(model, count), run);
    const measureBefore = async () => {
      const c0 = compileGraph(inf0);
      try {
        return await measure(c0, c0, inf0, 'float32', undefined, test, entry, s, ctx, ['evaluate-before', 'latency-before'], evaluation);
      } finally {
        c0.dispose();
      }
    };
    // A preview keeps the whole untimed measurement; a job times the unchanged model every time.
    const before = ctx.quick ? await memo(`before:${model}:${count}:${tf.getBackend()}:untimed`, measureBefore) : await measureBefore();

    const pruned = await pruneStage(g0, s, test, train, entry, ctx);
    if (pruned.record) stages.push(pruned.record);
    let g1 = pruned.graph;

    // Fine-tune (and prune gradually), holding masks through every optimizer step.
    if (s.finetune.epochs > 0 && train) {
      const tuned = await finetuneStage(pruned, s, train, test, entry, ctx, disposers);
      g1 = tuned.graph;
      stages.push(tuned.record);
    }

    const inf1 = prepareForInference(g1);
    let q: QuantizedModel | undefined;
    let sqnr: LayerSqnr[] = [];
    if (quant.id !== 'none') {
      const r = await quantizeStage(inf1, quant.id, s, train, test, entry, ctx);
      q = r.quantized;
      sqnr = r.sqnr;
      stages.push(r.record);
    }

    // After: accuracy from the simulated model; latency from the weights tfjs runs (no fake-quant ops).
    const sim = q ? compileQuantized(q) : compileGraph(inf1);
    disposers.push(() => sim.dispose());
    // Latency is timed on what tfjs runs (float kernels); a preview times nothing.
    const runAsTfjs = q && QUANT_MODES.get(q.mode).calibrates && !ctx.quick ? compileQuantized(q, { quantizeActivations: false }) : sim;
    if (runAsTfjs !== sim) disposers.push(() => runAsTfjs.dispose());
    const after = await measure(sim, runAsTfjs, inf1, quant.format, q, test, entry, s, ctx, ['evaluate-after', 'latency-after']);
    // The last stage's figures are the final model's (the quantized one's, or the float model's
    // when it was not measured on its own).
    const last = stages.at(-1);
    if (last && (last.stage === 'quantize' || last.accuracy === undefined)) Object.assign(last, brief(after.report.metrics));

    // A preview shows neither the layer table nor the flipped images (MobileNetV1 1.0's layer
    // histograms alone took 70 ms of each preview).
    const { flipped, flippedCount } = ctx.quick ? { flipped: [], flippedCount: 0 } : flippedPredictions(before.predictions, after.predictions, test, entry);
    ctx.onModels?.({ baseline: inf0, compressed: inf1, quantized: q, predictions: { before: before.predictions, after: after.predictions } });
    const result: Omit<CompressResult, 'summary'> = {
      modelId: entry.id,
      dataset: d.id,
      backend: tf.getBackend(),
      settings: s,
      testRecords: { first: entry.testData.first, count: test.count },
      caveats: caveatsFor(d, 'test', entry.testData.first, test.count).map((c) => c.text),
      before: before.report,
      after: after.report,
      stages,
      layers: ctx.quick ? [] : layerReports(inf0, inf1, q, sqnr),
      flipped,
      flippedCount,
      elapsedMs: performance.now() - t0,
    };
    return { ...result, summary: runSentence(result) };
  } finally {
    for (const f of disposers.reverse()) f();
  }
}
