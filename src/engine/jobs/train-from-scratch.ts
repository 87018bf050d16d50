/**
 * Train-from-scratch: for an architecture with no shipped baseline, build it for a dataset, seed
 * its kernels, train it with the same `fit` that fine-tunes (seeded order, progress, cancel), and
 * evaluate it on the dataset's exact test records. The result carries the model as tfjs artifacts
 * (model.json text + one weights file) and a BaselineEntry describing it, so it can be saved (the
 * CLI writes files, the studio keeps it in IndexedDB) and then compressed like a shipped baseline.
 */
import * as tf from '@tensorflow/tfjs';
import { loadDataset, type ReadFile } from '../data/load';
import { getDataset } from '../data/registry';
import { evaluate } from '../evaluate';
import { getArchitecture } from '../models/registry';
import { summarize } from '../models/summary';
import { seedKernels } from '../train/seeded-init';
import { fit, type FitProgress } from '../train/fit';
import type { BaselineEntry, ClassificationMetrics, DatasetId } from '../types';
import { validateTraining, type TrainSettings } from './compress-settings';

/** Fine-tuning's settings (compress-settings.ts TrainSettings), and what to build and train it on. */
export interface TrainFromScratchSettings extends TrainSettings {
  architecture: string;
  dataset: DatasetId;
  /** Evaluate on the first N of the exact test records only (quick previews, tests). */
  evalLimit?: number;
}

export interface TrainedArtifacts {
  /** model.json text, its weights manifest pointing at `weights.bin`. */
  modelJson: string;
  weights: Uint8Array;
}

export interface TrainFromScratchResult {
  entry: BaselineEntry;
  artifacts: TrainedArtifacts;
  metrics: ClassificationMetrics;
  steps: number;
  imagesPerSecond: number;
  backend: string;
  losses: number[];
  elapsedMs: number;
}

export interface TrainContext {
  read: ReadFile;
  signal?: AbortSignal;
  onProgress?: (stage: 'load-data' | 'train' | 'evaluate', done: number, total: number, train?: FitProgress) => void;
}

async function artifactsOf(model: tf.LayersModel): Promise<TrainedArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved!;
  const data = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(await new Blob((a.weightData as ArrayBuffer[]) ?? []).arrayBuffer());
  const modelJson = JSON.stringify({ format: 'layers-model', generatedBy: 'compression-studio', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] });
  return { modelJson, weights: data };
}

export async function trainFromScratch(s: TrainFromScratchSettings, dir: string, ctx: TrainContext): Promise<TrainFromScratchResult> {
  const t0 = performance.now();
  const arch = getArchitecture(s.architecture);
  const d = getDataset(s.dataset);
  validateTraining(s, 'train', { minEpochs: 1, extra: ['architecture', 'dataset', 'evalLimit'] });
  ctx.onProgress?.('load-data', 0, 1);
  const read = (name: string) => ctx.read(`data/${d.id}/${name}`);
  const train = await loadDataset(d, 'train', read, s.trainLimit ? { count: s.trainLimit } : {});
  const test = await loadDataset(d, 'test', read, { first: d.headlineTest.first, count: Math.min(d.headlineTest.count, s.evalLimit ?? Infinity) });
  const model = arch.build({ inputShape: d.shape, numClasses: d.numClasses });
  try {
    seedKernels(model, s.seed);
    const res = await fit(model, train, d.preprocessing, { ...s, signal: ctx.signal, onStep: (p) => ctx.onProgress?.('train', p.step, p.totalSteps, p) });
    const ev = await evaluate(model, test, d.preprocessing, { signal: ctx.signal, onProgress: (dn, t) => ctx.onProgress?.('evaluate', dn, t) });
    const summary = summarize(model);
    const id = `${arch.id}-${d.id}-trained`;
    const entry: BaselineEntry = {
      id,
      family: arch.family,
      alpha: arch.alpha,
      dataset: d.id,
      inputShape: d.shape,
      numClasses: d.numClasses,
      preprocessing: d.preprocessing,
      path: `${dir}/model.json`,
      params: summary.params,
      macs: summary.macs,
      sizeBytes: summary.float32Bytes,
      testAccuracy: ev.metrics.accuracy,
      testData: { split: 'test', first: d.headlineTest.first, count: test.count, exact: true, note: `trained from scratch in the studio (${res.steps} steps on ${res.backend})` },
      training: { ...s, steps: res.steps, backend: res.backend, trainedAt: new Date().toISOString() },
      referenceLogitsPath: '',
    };
    return { entry, artifacts: await artifactsOf(model), metrics: ev.metrics, steps: res.steps, imagesPerSecond: res.imagesPerSecond, backend: res.backend, losses: res.losses, elapsedMs: performance.now() - t0 };
  } finally {
    model.dispose();
  }
}
