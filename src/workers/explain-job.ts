/**
 * The workbench's live requests (protocol.ts WeightSampleJob and PreviewJob): the layer picture
 * (engine/explain/weight-sample.ts) and the preview (engine/jobs/preview.ts), both over the model
 * and data kept in the worker's memo. They use whichever tfjs backend a job already started (a
 * side request must never switch the backend under a running job), else wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend/init';
import type { ReadFile } from '../engine/data/load';
import { weightSample } from '../engine/explain/weight-sample';
import type { BaselineEntry } from '../engine/types';
import { PREVIEW_RECON_IMAGES, PREVIEW_TRAIN_RECORDS, previewCompress } from '../engine/jobs/preview';
import { loadGraph, loadTrain } from '../engine/jobs/compress';
import { pruneMethodOf, pruneParam } from '../engine/jobs/compress-settings';
import type { PruneContext } from '../engine/prune/methods/pruner';
import type { PreviewJob, PreviewJobResult, ProgressMessage, WeightSampleJob, WeightSampleResult } from './protocol';
import type { WorkerMemo } from './worker-memo';
import { startingBackend } from './backend-lock';

/** Starts wasm unless a job has already started a backend (or is starting one: the lock waits for it). */
export function ensureBackend(wasmPrefix: string): Promise<void> {
  return startingBackend(async () => {
    if (!tf.engine().backendName) await initBackend('wasm', { wasmPrefix });
  });
}

export async function weightSampleJob(job: WeightSampleJob, model: { entry: BaselineEntry; read: ReadFile }, ctx: { memo: WorkerMemo; wasmPrefix: string; signal?: AbortSignal }): Promise<WeightSampleResult> {
  await ensureBackend(ctx.wasmPrefix);
  const g = await loadGraph(model.entry, model.read, (key, make) => ctx.memo.get(key, make));
  // A reconstruction method re-fits the layer on training images: the preview's records, fewer of them.
  const method = pruneMethodOf(job.prune);
  let prune = job.prune;
  let pruneCtx: PruneContext = { signal: ctx.signal };
  if (method.needsCalibrationData) {
    const images = await loadTrain(model.entry, PREVIEW_TRAIN_RECORDS, model.read, (key, make) => ctx.memo.get(key, make));
    // As the preview: the same sparsity in every layer, no sensitivity analysis.
    prune = { ...prune, allocation: 'uniform', params: { ...prune.params, images: Math.min(PREVIEW_RECON_IMAGES, pruneParam(prune, 'images')) } };
    // The layers' input statistics are the preview's own (same weights and images), kept once for both.
    pruneCtx = { calibration: { images, preprocessing: model.entry.preprocessing, samples: PREVIEW_RECON_IMAGES }, statsMemo: (key, make) => ctx.memo.get(key, make), signal: ctx.signal };
  }
  // The preview of the same recipe, just made, left its pruning in the memo: the picture reads it.
  return { type: 'weight-sample', modelId: job.modelId, sample: await weightSample(g, { prune, granularity: job.granularity }, pruneCtx, (key, make) => ctx.memo.get(key, make)) };
}

export async function previewJob(
  job: PreviewJob,
  model: { entry: BaselineEntry; read: ReadFile },
  ctx: { memo: WorkerMemo; wasmPrefix: string; signal: AbortSignal; progress: (p: Omit<ProgressMessage, 'v' | 'kind' | 'id'>) => void },
): Promise<PreviewJobResult> {
  await ensureBackend(ctx.wasmPrefix);
  const r = await previewCompress(model.entry, job.settings, {
    read: model.read,
    signal: ctx.signal,
    memo: (key, make) => ctx.memo.get(key, make),
    onProgress: (stage, done, total) => ctx.progress({ stage, done, total }),
  });
  return { type: 'preview', ...r };
}
