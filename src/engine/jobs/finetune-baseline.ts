/**
 * The fine-tune job: load a baseline, train it further on its training split (seeded order) on
 * the chosen training backend, and evaluate it on its test records before and after.
 */
import { getDataset } from '../data/registry';
import { loadDataset } from '../data/load';
import { evaluate } from '../evaluate';
import { loadLayersModel } from '../models/load';
import { fit, type FitProgress } from '../train/fit';
import type { BaselineEntry } from '../types';
import type { JobContext } from './evaluate-baseline';
import { validateTraining } from './compress-settings';

export interface FinetuneSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Use only the first N training images (quick previews). */
  trainLimit?: number;
  /** Evaluate on the first N of the model's test records only (quick previews; default: all). */
  evalLimit?: number;
}

export interface FinetuneResult {
  modelId: string;
  backend: string;
  backendNote?: string;
  settings: FinetuneSettings;
  steps: number;
  imagesPerSecond: number;
  elapsedMs: number;
  losses: number[];
  accuracyBefore: number;
  accuracyAfter: number;
  testRecords: { first: number; count: number };
}

export interface FinetuneContext extends Omit<JobContext, 'onProgress'> {
  onProgress?: (stage: 'load-model' | 'load-data' | 'evaluate' | 'train', done: number, total: number, train?: FitProgress) => void;
}

export async function finetuneBaseline(entry: BaselineEntry, s: FinetuneSettings, ctx: FinetuneContext): Promise<Omit<FinetuneResult, 'backend' | 'backendNote'>> {
  validateTraining(s, 'finetune', { minEpochs: 1, extra: ['evalLimit'], optimizer: 'optional' });
  const d = getDataset(entry.dataset);
  const t0 = performance.now();
  ctx.onProgress?.('load-model', 0, 1);
  const { model } = await loadLayersModel(entry.path, ctx.read, entry.files);
  try {
    ctx.onProgress?.('load-data', 0, 1);
    const read = (name: string) => ctx.read(`data/${d.id}/${name}`);
    const train = await loadDataset(d, 'train', read, s.trainLimit ? { count: s.trainLimit } : {});
    const test = await loadDataset(d, 'test', read, { first: entry.testData.first, count: Math.min(entry.testData.count, s.evalLimit ?? Infinity) });
    const evalOpts = { signal: ctx.signal, onProgress: (done: number, total: number) => ctx.onProgress?.('evaluate', done, total) };
    const before = await evaluate(model, test, entry.preprocessing, evalOpts);
    const res = await fit(model, train, entry.preprocessing, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      seed: s.seed,
      signal: ctx.signal,
      onStep: (p) => ctx.onProgress?.('train', p.step, p.totalSteps, p),
    });
    const after = await evaluate(model, test, entry.preprocessing, evalOpts);
    return {
      modelId: entry.id,
      settings: s,
      steps: res.steps,
      imagesPerSecond: res.imagesPerSecond,
      elapsedMs: performance.now() - t0,
      losses: res.losses,
      accuracyBefore: before.metrics.accuracy,
      accuracyAfter: after.metrics.accuracy,
      testRecords: { first: entry.testData.first, count: test.count },
    };
  } finally {
    model.dispose();
  }
}
