/**
 * The evaluate job: load a baseline and its test data, measure accuracy, recall, latency and
 * size. Pure engine code: the Worker and Node both call it, passing how to read files.
 */
import * as tf from '@tensorflow/tfjs';
import { caveatsFor, getDataset } from '../data/registry';
import { loadDataset, type ReadFile } from '../data/load';
import { evaluate } from '../evaluate';
import { measureLatency } from '../metrics/latency';
import { loadLayersModel } from '../models/load';
import { toInputTensor } from '../preprocess';
import type { BaselineEntry, ClassificationMetrics, LatencyStats } from '../types';

export interface EvaluateBaselineResult {
  modelId: string;
  backend: string;
  dataset: string;
  testRecords: { first: number; count: number };
  caveats: string[];
  metrics: ClassificationMetrics;
  latency: LatencyStats;
  sizeBytes: number;
  params: number;
  elapsedMs: number;
}

export interface JobContext {
  /** Reads a file under the served root (e.g. "models/x/model.json", "data/mnist/..."). */
  read: ReadFile;
  signal?: AbortSignal;
  onProgress?: (stage: 'load-model' | 'load-data' | 'evaluate' | 'latency', done: number, total: number) => void;
}

export async function evaluateBaseline(entry: BaselineEntry, ctx: JobContext, limit?: number): Promise<EvaluateBaselineResult> {
  const t0 = performance.now();
  const d = getDataset(entry.dataset);
  ctx.onProgress?.('load-model', 0, 1);
  const { model, weightBytes } = await loadLayersModel(entry.path, ctx.read, entry.files);
  try {
    ctx.signal?.throwIfAborted();
    ctx.onProgress?.('load-data', 0, 1);
    const first = entry.testData.first;
    const count = Math.min(entry.testData.count, limit ?? Infinity);
    const ds = await loadDataset(d, 'test', (name) => ctx.read(`data/${d.id}/${name}`), { first, count });
    ctx.signal?.throwIfAborted();
    const { metrics } = await evaluate(model, ds, entry.preprocessing, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.onProgress?.('evaluate', done, total),
    });
    ctx.onProgress?.('latency', 0, 1);
    const x = toInputTensor(ds, 0, 1, entry.preprocessing);
    let latency: LatencyStats;
    try {
      latency = await measureLatency(model, x, { batch: 1, warmup: 5, runs: 30, signal: ctx.signal });
    } finally {
      x.dispose();
    }
    return {
      modelId: entry.id,
      backend: tf.getBackend(),
      dataset: d.id,
      testRecords: { first, count: ds.count },
      caveats: caveatsFor(d, 'test', first, ds.count).map((c) => c.text),
      metrics,
      latency,
      sizeBytes: weightBytes,
      params: model.countParams(),
      elapsedMs: performance.now() - t0,
    };
  } finally {
    model.dispose();
  }
}
