/**
 * Measuring a model in the compression job: accuracy on the test records, then batch-1 latency
 * and batch-32 throughput, and the static report (sizes, MACs, memory) of its inference graph.
 * Before and after are measured the same way, so a difference is the compression's.
 */
import * as tf from '@tensorflow/tfjs';
import { evaluate, type Evaluation, type Predictor } from '../../evaluate';
import { compileGraph } from '../../graph/execute';
import type { Graph } from '../../graph/ir';
import { prepareForInference } from '../../graph/rewrite';
import { measureLatency, measureThroughput } from '../../metrics/latency';
import { latencyNote, type ModelFormat, type ModelReport, staticReport } from '../../metrics/model-report';
import { toInputTensor } from '../../preprocess';
import type { QuantizedModel } from '../../quantize/quantize-graph';
import type { BaselineEntry, ClassificationMetrics, ImageDataset } from '../../types';
import type { CompressSettings } from '../compress-settings';
import type { CompressContext, CompressStage } from './types';

export async function measure(
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
  /** Runs the evaluation, or answers it from an earlier job's (the unchanged model's, on the same records and backend). */
  evaluation: (run: () => Promise<Evaluation>) => Promise<Evaluation> = (run) => run(),
): Promise<{ report: ModelReport; predictions: Uint8Array }> {
  let ran = false;
  const ev = await evaluation(() => {
    ran = true;
    return evaluate(predictor, test, entry.preprocessing, { signal: ctx.signal, onProgress: (d, t) => ctx.onProgress?.(stages[0], d, t) });
  });
  ctx.onProgress?.(stages[0], test.count, test.count, undefined, { accuracy: ev.metrics.accuracy, ...(ran ? {} : { madeAhead: true }) });
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

/** Accuracy of a float graph (as inference graph); its weights are freed even when cancelled. */
export async function evaluateFloat(g: Graph, test: ImageDataset, entry: BaselineEntry, ctx: CompressContext): Promise<ClassificationMetrics> {
  const c = compileGraph(prepareForInference(g));
  try {
    const m = (await evaluate(c, test, entry.preprocessing, { signal: ctx.signal, onProgress: (dn, t) => ctx.onProgress?.('evaluate-pruned', dn, t) })).metrics;
    ctx.onProgress?.('evaluate-pruned', test.count, test.count, undefined, { accuracy: m.accuracy });
    return m;
  } finally {
    c.dispose();
  }
}

/** The two figures a stage record keeps. */
export function brief(m: ClassificationMetrics) {
  return { accuracy: m.accuracy, macroRecall: m.macroRecall };
}
