/**
 * The compression job: baseline -> prune (one-shot or gradual, unstructured, N:M or structured)
 * -> fine-tune -> quantize (full integer, weight-only, float16) -> measure, with every stage's
 * settings and intermediate metrics recorded. Runs in the Worker and in Node alike.
 *
 * Before and after are measured the same way: both as inference graphs (BatchNorm folded) run by
 * the engine's executor on the same backend and the same test records, so a difference is the
 * compression's, not the harness's. Quantized accuracy is the simulated int8 model's (see
 * quantize/simulate.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { caveatsFor, getDataset } from '../data/registry';
import { loadDataset } from '../data/load';
import { evaluate, type Predictor } from '../evaluate';
import { compileGraph } from '../graph/execute';
import { graphFromLayersModel } from '../graph/from-layers';
import { type Graph, isWeighted } from '../graph/ir';
import { prepareForInference } from '../graph/rewrite';
import { layersModelFromGraph } from '../graph/to-layers';
import { measureLatency, measureThroughput } from '../metrics/latency';
import { latencyNote, type ModelFormat, type ModelReport, staticReport } from '../metrics/model-report';
import { loadLayersModel } from '../models/load';
import { toInputTensor, toInputTensorAt } from '../preprocess';
import { polynomialDecaySparsity, type PolynomialDecay } from '../prune/schedule';
import { structuredPrune } from '../prune/structured';
import { applyMasks, ModelMasks, unstructuredMasks, type UnstructuredOptions } from '../prune/unstructured';
import { calibrateGraph, calibrationIndices } from '../quantize/calibrate-graph';
import { quantizeGraph, type QuantizedModel } from '../quantize/quantize-graph';
import { layerSqnr, type LayerSqnr } from '../quantize/sqnr';
import { compileQuantized } from '../quantize/simulate';
import { fit, type FitProgress } from '../train/fit';
import type { BaselineEntry, ClassificationMetrics, ImageDataset } from '../types';
import { type CompressSettings, validateCompressSettings } from './compress-settings';
import { runSentence } from './run-sentence';
import type { ReadFile } from '../data/load';

export type CompressStage = 'load-model' | 'load-data' | 'evaluate-before' | 'latency-before' | 'prune' | 'train' | 'evaluate-pruned' | 'calibrate' | 'quantize' | 'evaluate-after' | 'latency-after';

/**
 * A stage's key figures, reported once with its last progress event (the studio's job log shows
 * them): test accuracy after an evaluation, median batch-1 latency, the fraction of kernel weights
 * pruning removed (zeroed or cut out, over every kernel of the model before pruning).
 */
export interface StageFigures {
  accuracy?: number;
  latencyMs?: number;
  removedFraction?: number;
}

/** Keeps what `make` gives under `key` for later calls (a preview's model, data and baseline figures). */
export type Memo = <T>(key: string, make: () => Promise<T>) => Promise<T>;

export interface CompressContext {
  read: ReadFile;
  signal?: AbortSignal;
  /**
   * A preview (preview.ts): the model, the test and training records and the baseline's figures
   * come from `memo` when it has them; nothing is timed (latency and throughput are NaN with 0
   * runs), nothing gzipped (gzip sizes NaN), and neither the pruned float model's accuracy nor
   * the per-layer SQNR is measured.
   */
  quick?: { memo: Memo };
  onProgress?: (stage: CompressStage, done: number, total: number, train?: FitProgress, figures?: StageFigures) => void;
  /** Called once, just before the job returns, with its deployable models (e.g. to export them). */
  onModels?: (m: CompressedModels) => void;
}

/** The job's inference graphs and quantized model, and its predictions on the test records. */
export interface CompressedModels {
  baseline: Graph;
  compressed: Graph;
  quantized?: QuantizedModel;
  predictions: { before: Uint8Array; after: Uint8Array };
}

export interface StageRecord {
  stage: 'prune' | 'finetune' | 'quantize';
  settings: unknown;
  elapsedMs: number;
  /** Accuracy and macro recall on the test records right after this stage (float model for prune/finetune). */
  accuracy?: number;
  macroRecall?: number;
  detail: Record<string, unknown>;
}

export interface LayerReport {
  name: string;
  op: string;
  paramsBefore: number;
  paramsAfter: number;
  /** Output channels (filters) before and after structured pruning. */
  channelsBefore: number;
  channelsAfter: number;
  /** Fraction of zero kernel weights after compression. */
  sparsity: number;
  sqnr?: Pick<LayerSqnr, 'weightSqnrDb' | 'outputSqnrDb'>;
  /** Kernel weight histogram over shared bins, before and after (the spike at zero, int8 bins). */
  histogram: { min: number; max: number; before: number[]; after: number[] };
}

export interface FlippedPrediction {
  index: number;
  label: number;
  before: number;
  after: number;
}

export interface CompressResult {
  modelId: string;
  dataset: string;
  backend: string;
  settings: CompressSettings;
  testRecords: { first: number; count: number };
  caveats: string[];
  before: ModelReport;
  after: ModelReport;
  stages: StageRecord[];
  layers: LayerReport[];
  /** Test records whose prediction changed (first 64), for the gallery. */
  flipped: FlippedPrediction[];
  flippedCount: number;
  elapsedMs: number;
  /** What the run did and what it cost, in one sentence (run-sentence.ts). */
  summary: string;
}

const HIST_BINS = 51;

function histogram(v: Float32Array, min: number, max: number): number[] {
  const h = new Array<number>(HIST_BINS).fill(0);
  const w = (max - min) / HIST_BINS || 1;
  for (let i = 0; i < v.length; i++) h[Math.min(HIST_BINS - 1, Math.max(0, Math.floor((v[i] - min) / w)))]++;
  return h;
}

function outChannels(shape: number[], op: string): number {
  return op === 'depthwise' ? shape[2] * shape[3] : shape[shape.length - 1];
}

function kernelSparsity(v: Float32Array): number {
  let z = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === 0) z++;
  return v.length ? z / v.length : 0;
}

async function measure(
  predictor: Predictor,
  measureWith: Predictor,
  g: Graph,
  format: ModelFormat,
  q: QuantizedModel | undefined,
  test: ImageDataset,
  entry: BaselineEntry,
  s: CompressSettings,
  ctx: CompressContext,
  stages: [CompressStage, CompressStage],
): Promise<{ report: ModelReport; predictions: Uint8Array }> {
  const ev = await evaluate(predictor, test, entry.preprocessing, { signal: ctx.signal, onProgress: (d, t) => ctx.onProgress?.(stages[0], d, t) });
  ctx.onProgress?.(stages[0], test.count, test.count, undefined, { accuracy: ev.metrics.accuracy });
  if (ctx.quick) {
    const backend = tf.getBackend();
    const untimed = { latency: { backend, batch: 1, runs: 0, medianMs: Number.NaN, p95Ms: Number.NaN }, throughput: { backend, batch: 32, runs: 0, imagesPerSecond: Number.NaN } };
    return { report: { format, metrics: ev.metrics, ...untimed, ...staticReport(g, format, q, { gzip: false }), latencyNote: 'not measured in a preview' }, predictions: ev.predictions };
  }
  ctx.onProgress?.(stages[1], 0, 1);
  const x = toInputTensor(test, 0, 1, entry.preprocessing);
  try {
    const latency = await measureLatency(measureWith, x, { batch: 1, warmup: 5, runs: s.latencyRuns, signal: ctx.signal });
    const throughput = await measureThroughput(measureWith, x, { batch: 32, warmup: 2, runs: Math.max(3, Math.round(s.latencyRuns / 3)), signal: ctx.signal });
    ctx.onProgress?.(stages[1], 1, 1, undefined, { latencyMs: latency.medianMs });
    return { report: { format, metrics: ev.metrics, latency, throughput, ...staticReport(g, format, q), latencyNote: latencyNote(format, tf.getBackend()) }, predictions: ev.predictions };
  } finally {
    x.dispose();
  }
}

function brief(m: ClassificationMetrics) {
  return { accuracy: m.accuracy, macroRecall: m.macroRecall };
}

/** tfmot-style schedule over the fine-tuning steps, with defaults filled in. */
function resolveSchedule(s: CompressSettings, totalSteps: number): PolynomialDecay | undefined {
  const sch = s.prune.schedule;
  if (sch.kind !== 'gradual') return undefined;
  const endStep = Math.min(sch.endStep ?? Math.floor(0.7 * totalSteps), Math.max(0, totalSteps - 1));
  const beginStep = Math.min(sch.beginStep ?? 0, endStep);
  return { initialSparsity: sch.initialSparsity, finalSparsity: s.prune.sparsity, beginStep, endStep, frequency: sch.frequency ?? Math.max(1, Math.floor((endStep - beginStep) / 10)), power: sch.power };
}

export async function compressBaseline(entry: BaselineEntry, settings: CompressSettings, ctx: CompressContext): Promise<CompressResult> {
  validateCompressSettings(settings);
  const s = settings;
  const t0 = performance.now();
  const d = getDataset(entry.dataset);
  const read = (name: string) => ctx.read(`data/${d.id}/${name}`);
  // A preview keeps what it loads (and the baseline's figures) for the next one; a job loads afresh.
  const memo: Memo = ctx.quick?.memo ?? ((_key, make) => make());
  const model = `${entry.id}:${entry.path}`;
  ctx.onProgress?.('load-model', 0, 1);
  // The graph is never modified in place: pruning and folding work on copies.
  const g0 = await memo(`graph:${model}`, async () => {
    const loaded = await loadLayersModel(entry.path, ctx.read);
    try {
      return graphFromLayersModel(loaded.model);
    } finally {
      loaded.model.dispose();
    }
  });
  ctx.onProgress?.('load-data', 0, 1);
  const count = Math.min(entry.testData.count, s.evalLimit ?? Infinity);
  const test = await memo(`test:${model}:${count}`, () => loadDataset(d, 'test', read, { first: entry.testData.first, count }));
  const needsTrain = s.finetune.epochs > 0 || s.quant.mode === 'int8';
  const trainCount = s.finetune.trainLimit ? Math.max(s.finetune.trainLimit, s.quant.calibration.samples) : undefined;
  const train = needsTrain ? await memo(`train:${model}:${trainCount ?? 'all'}`, () => loadDataset(d, 'train', read, trainCount ? { count: trainCount } : {})) : undefined;
  ctx.signal?.throwIfAborted();

  const stages: StageRecord[] = [];
  const disposers: Array<() => void> = [];
  try {
    // Before: the baseline as an inference graph.
    const inf0 = prepareForInference(g0);
    const before = await memo(`before:${model}:${count}:${tf.getBackend()}:${ctx.quick ? 'untimed' : s.latencyRuns}`, async () => {
      const c0 = compileGraph(inf0);
      try {
        return await measure(c0, c0, inf0, 'float32', undefined, test, entry, s, ctx, ['evaluate-before', 'latency-before']);
      } finally {
        c0.dispose();
      }
    });

    // Prune.
    let g1 = g0;
    const tp = performance.now();
    ctx.onProgress?.('prune', 0, 1);
    let masks: Map<string, Uint8Array> | undefined;
    const unOpts: UnstructuredOptions = { kind: s.prune.method === 'global' ? 'global' : s.prune.method === 'n:m' ? 'n:m' : 'per-layer', sparsity: s.prune.sparsity, layerKinds: s.prune.layerKinds, spareFirstLast: s.prune.spareFirstLast, overrides: s.prune.overrides, n: s.prune.n, m: s.prune.m };
    const unstructured = s.prune.method === 'per-layer' || s.prune.method === 'global' || s.prune.method === 'n:m';
    const gradual = unstructured && s.prune.schedule.kind === 'gradual';
    let pruneDetail: Record<string, unknown> = {};
    if (s.prune.method === 'structured') {
      const r = structuredPrune(g0, { sparsity: s.prune.sparsity, criterion: s.prune.criterion, overrides: s.prune.overrides, spareFirstLast: s.prune.spareFirstLast });
      g1 = r.graph;
      pruneDetail = { groups: r.removed };
    } else if (unstructured && !gradual) {
      masks = unstructuredMasks(g0, unOpts);
      g1 = applyMasks(g0, masks);
    }
    if (s.prune.method !== 'none') {
      ctx.onProgress?.('prune', 1, 1, undefined, gradual ? undefined : { removedFraction: removedFraction(g0, g1) });
      const m = ctx.quick ? undefined : await evaluateFloat(g1, test, entry, ctx);
      stages.push({ stage: 'prune', settings: s.prune, elapsedMs: performance.now() - tp, ...(m ? brief(m) : {}), detail: { ...pruneDetail, layersPruned: masks ? [...masks.keys()] : undefined, note: gradual ? 'gradual: masks are applied during fine-tuning; this is the unpruned model' : undefined } });
    }

    // Fine-tune (and prune gradually), holding masks through every optimizer step.
    if (s.finetune.epochs > 0 && train) {
      const tf0 = performance.now();
      const model = layersModelFromGraph(g1);
      disposers.push(() => model.dispose());
      const stepsPerEpoch = Math.floor(Math.min(train.count, s.finetune.trainLimit ?? Infinity) / s.finetune.batchSize);
      const totalSteps = Math.min(s.finetune.maxSteps ?? Infinity, stepsPerEpoch * s.finetune.epochs);
      const schedule = gradual ? resolveSchedule(s, totalSteps) : undefined;
      let bound: ModelMasks | undefined;
      let lastSparsity: number | undefined;
      if (masks) bound = new ModelMasks(model, masks);
      disposers.push(() => bound?.dispose());
      const updates: Array<{ step: number; sparsity: number }> = [];
      // Calibration may have loaded more records than the fine-tuning limit; train on the limit.
      const trainSet = s.finetune.trainLimit && s.finetune.trainLimit < train.count ? subset(train, s.finetune.trainLimit) : train;
      const res = await fit(model, trainSet, entry.preprocessing, {
        epochs: s.finetune.epochs,
        batchSize: s.finetune.batchSize,
        learningRate: s.finetune.learningRate,
        optimizer: s.finetune.optimizer,
        seed: s.finetune.seed,
        maxSteps: s.finetune.maxSteps,
        signal: ctx.signal,
        onStep: (p) => ctx.onProgress?.('train', p.step, p.totalSteps, p),
        afterStep: (step) => {
          const target = schedule ? polynomialDecaySparsity(schedule, step) : undefined;
          if (target !== undefined && target !== lastSparsity) {
            const m = unstructuredMasks(graphFromLayersModel(model), unOpts, target);
            if (bound) bound.update(m);
            else bound = new ModelMasks(model, m);
            lastSparsity = target;
            updates.push({ step, sparsity: target });
          } else bound?.apply();
        },
      });
      g1 = graphFromLayersModel(model);
      if (gradual && lastSparsity !== s.prune.sparsity) {
        // The run ended before the schedule's end step: prune to the final sparsity now.
        masks = unstructuredMasks(g1, unOpts, s.prune.sparsity);
        g1 = applyMasks(g1, masks);
        updates.push({ step: res.steps, sparsity: s.prune.sparsity });
      } else if (masks && !gradual) g1 = applyMasks(g1, masks);
      const m = await evaluateFloat(g1, test, entry, ctx);
      stages.push({
        stage: 'finetune',
        settings: s.finetune,
        elapsedMs: performance.now() - tf0,
        ...brief(m),
        detail: { steps: res.steps, imagesPerSecond: res.imagesPerSecond, backend: res.backend, firstLoss: res.losses[0], lastLoss: res.losses.at(-1), losses: res.losses.filter((_, i) => i % Math.max(1, Math.floor(res.losses.length / 200)) === 0), scheduleUpdates: updates, schedule },
      });
    }

    // Quantize.
    const inf1 = prepareForInference(g1);
    let q: QuantizedModel | undefined;
    let sqnr: LayerSqnr[] = [];
    const format: ModelFormat = s.quant.mode === 'none' ? 'float32' : s.quant.mode;
    if (s.quant.mode !== 'none') {
      const tq = performance.now();
      let ranges = {};
      if (s.quant.mode === 'int8') {
        ranges = await calibrateGraph(inf1, train!, entry.preprocessing, { method: s.quant.calibration.method, samples: s.quant.calibration.samples, percentile: s.quant.calibration.percentile, signal: ctx.signal, onProgress: (dn, t) => ctx.onProgress?.('calibrate', dn, t) });
      }
      ctx.onProgress?.('quantize', 0, 1);
      q = quantizeGraph(inf1, s.quant.mode, s.quant.granularity, ranges);
      // SQNR on calibration images (training data), never on the test records.
      const sqnrSource = train ?? test;
      if (!ctx.quick) {
        const xs = toInputTensorAt(sqnrSource, calibrationIndices(sqnrSource.count, 32, 7), entry.preprocessing);
        try {
          sqnr = await layerSqnr(q, xs);
        } finally {
          xs.dispose();
        }
      }
      stages.push({ stage: 'quantize', settings: s.quant, elapsedMs: performance.now() - tq, detail: { calibrationImages: s.quant.mode === 'int8' ? Math.min(s.quant.calibration.samples, train!.count) : 0, calibrationSource: 'training split' } });
    }

    // After.
    const sim = q ? compileQuantized(q) : compileGraph(inf1);
    disposers.push(() => sim.dispose());
    // Latency is timed on what tfjs runs (float kernels); a preview times nothing.
    const runAsTfjs = q && q.mode === 'int8' && !ctx.quick ? compileQuantized(q, { quantizeActivations: false }) : sim;
    if (runAsTfjs !== sim) disposers.push(() => runAsTfjs.dispose());
    const after = await measure(sim, runAsTfjs, inf1, format, q, test, entry, s, ctx, ['evaluate-after', 'latency-after']);
    const last = stages.at(-1);
    if (last?.stage === 'quantize') Object.assign(last, brief(after.report.metrics));

    // Per-layer report, by the names of the inference graphs.
    const layers: LayerReport[] = [];
    const beforeNodes = new Map(inf0.nodes.map((n) => [n.name, n]));
    for (const n of inf1.nodes) {
      if (!isWeighted(n)) continue;
      const b = beforeNodes.get(n.name);
      const vb = b && isWeighted(b) ? b.kernel.values : n.kernel.values;
      let min = Infinity;
      let max = -Infinity;
      for (const v of [vb, n.kernel.values]) for (let i = 0; i < v.length; i++) {
        if (v[i] < min) min = v[i];
        if (v[i] > max) max = v[i];
      }
      const deployed = q ? (compileWeights(q, n.name) ?? n.kernel.values) : n.kernel.values;
      const sq = sqnr.find((x) => x.name === n.name);
      layers.push({
        name: n.name,
        op: n.op,
        paramsBefore: b && isWeighted(b) ? b.kernel.values.length + (b.bias?.values.length ?? 0) : 0,
        paramsAfter: n.kernel.values.length + (n.bias?.values.length ?? 0),
        channelsBefore: b && isWeighted(b) ? outChannels(b.kernel.shape, b.op) : 0,
        channelsAfter: outChannels(n.kernel.shape, n.op),
        sparsity: kernelSparsity(n.kernel.values),
        sqnr: sq ? { weightSqnrDb: sq.weightSqnrDb, outputSqnrDb: sq.outputSqnrDb } : undefined,
        histogram: { min, max, before: histogram(vb, min, max), after: histogram(deployed, min, max) },
      });
    }

    const flipped: FlippedPrediction[] = [];
    let flippedCount = 0;
    for (let i = 0; i < test.count; i++) {
      if (before.predictions[i] === after.predictions[i]) continue;
      flippedCount++;
      if (flipped.length < 64) flipped.push({ index: entry.testData.first + i, label: test.labels[i], before: before.predictions[i], after: after.predictions[i] });
    }
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
      layers,
      flipped,
      flippedCount,
      elapsedMs: performance.now() - t0,
    };
    return { ...result, summary: runSentence(result) };
  } finally {
    for (const f of disposers.reverse()) f();
  }
}

/** Accuracy of a float graph (as inference graph); its weights are freed even when cancelled. */
async function evaluateFloat(g: Graph, test: ImageDataset, entry: BaselineEntry, ctx: CompressContext): Promise<ClassificationMetrics> {
  const c = compileGraph(prepareForInference(g));
  try {
    const m = (await evaluate(c, test, entry.preprocessing, { signal: ctx.signal, onProgress: (dn, t) => ctx.onProgress?.('evaluate-pruned', dn, t) })).metrics;
    ctx.onProgress?.('evaluate-pruned', test.count, test.count, undefined, { accuracy: m.accuracy });
    return m;
  } finally {
    c.dispose();
  }
}

/** 1 - (non-zero kernel weights of `after`) / (kernel weights of `before`): what pruning removed, zeroed or cut. */
function removedFraction(before: Graph, after: Graph): number {
  let total = 0;
  let kept = 0;
  for (const n of before.nodes) if (isWeighted(n)) total += n.kernel.values.length;
  for (const n of after.nodes) if (isWeighted(n)) kept += n.kernel.values.length * (1 - kernelSparsity(n.kernel.values));
  return total ? 1 - kept / total : 0;
}

/** The first `count` records of a dataset (views, no copy). */
function subset(ds: ImageDataset, count: number): ImageDataset {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return { ...ds, count, pixels: ds.pixels.subarray(0, count * per), labels: ds.labels.subarray(0, count) };
}

/** The dequantized kernel a quantized layer computes with. */
function compileWeights(q: QuantizedModel, name: string): Float32Array | undefined {
  const w = q.weights[name];
  if (!w) return undefined;
  const out = new Float32Array(w.kernel.length);
  const c = w.kernelScales.length;
  for (let i = 0; i < out.length; i++) out[i] = w.kernel[i] * w.kernelScales[i % c];
  return out;
}
