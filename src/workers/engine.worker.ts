/// <reference lib="webworker" />
/**
 * The engine worker: a thin switch from protocol messages to engine jobs. All heavy compute runs
 * here so the page never blocks. Files are fetched from the page's origin.
 */
import { CONFIRM_ABOVE_S } from '../engine/jobs/estimate';
import { initBackend, type BackendName } from '../engine/backend/init';
import { RUNTIMES, type RuntimeId } from '../engine/choices/deploy';
import { serializeError, StudioError } from '../engine/errors';
import { evaluateBaseline } from '../engine/jobs/evaluate-baseline';
import { compressBaseline, warmBaseline, type CompressedModels } from '../engine/jobs/compress';
import { withDefaults } from '../engine/jobs/compress-settings';
import { finetuneBaseline } from '../engine/jobs/finetune-baseline';
import { analyseSensitivity } from '../engine/jobs/sensitivity';
import { autoSearchBaseline } from '../engine/jobs/auto-search';
import { prepareTrainingBackend } from '../engine/train/training-backend';
import type { BaselineEntry, BaselineIndex } from '../engine/types';
import type { JobResult } from '../engine/jobs/results';
import { PROTOCOL_VERSION, type JobRequest, type WorkerRequest, type WorkerResponse } from './protocol';
import { webglRenderer } from './webgl-renderer';
import { contextLostError, watchWebglContext, webglContextLost } from './webgl-context';
import { tfliteStep } from './tflite-step';
import { isStudioJob, runStudioJob, userModel } from './studio-jobs';
import type { ReadFile } from '../engine/data/load';
import { ensureBackend, previewJob, weightSampleJob } from './explain-job';
import { WorkerMemo } from './worker-memo';
import { LiveGate } from './live-gate';
import { startingBackend } from './backend-lock';
import { readServed } from './read-served';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const origin = scope.location.origin + '/';
const wasmPrefix = new URL('tfjs-wasm/', origin).href;
const wasmPaths = Object.fromEntries(RUNTIMES.map((r) => [r.id, new URL(r.wasmFolder, origin).href])) as Record<RuntimeId, string>;
const controllers = new Map<number, AbortController>();
const memo = new WorkerMemo();
/** Previews still running: a newer one cancels them. */
const previews = new Set<number>();

function post(msg: WorkerResponse): void {
  scope.postMessage(msg);
}

function read(path: string): Promise<Uint8Array> {
  return readServed(origin, path);
}

/** The shipped baselines' index, read once per worker (7-17 ms before every preview when read each time); a failed read is tried again. */
let baselines: Promise<BaselineIndex> | undefined;

async function baseline(modelId: string): Promise<BaselineEntry> {
  baselines ??= read('models/index.json').then((b) => JSON.parse(new TextDecoder().decode(b)) as BaselineIndex);
  const index = await baselines.catch((e: unknown) => {
    baselines = undefined;
    throw e;
  });
  const entry = index.models.find((m) => m.id === modelId);
  if (!entry) throw new StudioError('bad-model', `No baseline "${modelId}" in models/index.json.`, { modelId });
  return entry;
}

/** The model a job names: a shipped baseline, or a user's own files (served from memory). */
async function jobModel(job: Exclude<JobRequest, { type: 'validate-model' | 'records' | 'train' }>): Promise<{ entry: BaselineEntry; read: ReadFile }> {
  if (job.upload) return userModel(job.upload, read);
  return { entry: await baseline(job.modelId), read };
}

async function runJob(id: number, job: JobRequest, signal: AbortSignal): Promise<JobResult> {
  post({ v: 1, kind: 'progress', id, stage: 'backend', done: 0, total: 1 });
  if (isStudioJob(job)) return runStudioJob(job, { read, signal, wasmPrefix, progress: (p) => post({ v: 1, kind: 'progress', id, ...p }) });
  const { entry, read: readFile } = await jobModel(job);
  if (job.type === 'weight-sample') return weightSampleJob(job, { entry, read: readFile }, { memo, wasmPrefix, signal });
  if (job.type === 'preview') return previewJob(job, { entry, read: readFile }, { memo, wasmPrefix, signal, progress: (p) => post({ v: 1, kind: 'progress', id, ...p }) });
  if (job.type === 'warm') {
    await ensureBackend(wasmPrefix);
    const accuracy = (await warmBaseline(entry, job.evalLimit, { read: readFile, reuse: (key, make) => memo.get(key, make), signal, between: () => live.idle() })).accuracy;
    return { type: 'warm', modelId: job.modelId, accuracy };
  }
  if (job.type === 'evaluate') {
    const status = await startingBackend(() => initBackend(job.backend as BackendName, { wasmPrefix }));
    const r = await evaluateBaseline(entry, { read: readFile, signal, onProgress: (stage, done, total) => post({ v: 1, kind: 'progress', id, stage, done, total }) }, job.limit);
    return { type: 'evaluate', ...r, backendNote: status.fallbackReason };
  }
  const training = await startingBackend(() => prepareTrainingBackend(job.backend, { wasmPrefix, webglRenderer: job.backend === 'auto' ? webglRenderer() : undefined }));
  if (job.type === 'sensitivity') {
    const r = await analyseSensitivity(entry, job.settings, { read: readFile, signal, onProgress: (stage, done, total) => post({ v: 1, kind: 'progress', id, stage, done, total }) });
    return { type: 'sensitivity', ...r };
  }
  if (job.type === 'auto-search') {
    // The candidate phase's count comes just before each candidate, which then goes out with it.
    let most = 0;
    const r = await autoSearchBaseline(entry, withDefaults(job.settings), job.budget, {
      read: readFile,
      signal,
      allocation: job.settings.prune.allocation,
      onProgress: (phase, done, total) => (phase === 'sensitivity' ? post({ v: 1, kind: 'progress', id, stage: 'auto-sensitivity', done, total }) : (most = total)),
      onCandidate: (candidate, i) => post({ v: 1, kind: 'progress', id, stage: 'auto-candidate', done: i + 1, total: most, candidate }),
    });
    return { type: 'auto-search', modelId: job.modelId, ...r, backendNote: training.note };
  }
  if (job.type === 'compress') {
    let models: CompressedModels | undefined;
    const r = await compressBaseline(entry, withDefaults(job.settings), {
      read: readFile,
      signal,
      onProgress: (stage, done, total, p, figures) =>
        post({ v: 1, kind: 'progress', id, stage, done, total, imagesPerSecond: p?.imagesPerSecond, secondsLeft: p?.secondsLeft, loss: p?.loss, backend: p?.backend, ...(figures ? { figures } : {}) }),
      onModels: job.tflite ? (m) => (models = m) : undefined,
      // A long job stops before its work until the page has asked the user (jobs.ts runCompress).
      askAbove: job.confirmedLong ? undefined : CONFIRM_ABOVE_S,
      reuse: (key, make) => memo.get(key, make),
    });
    const tflite = job.tflite && models ? await tfliteStep(entry, r, models, job.tflite, { signal, wasmPaths, onProgress: (stage, done, total) => post({ v: 1, kind: 'progress', id, stage, done, total }) }) : {};
    return { type: 'compress', ...r, backendNote: training.note, ...tflite };
  }
  const r = await finetuneBaseline(entry, job.settings, {
    read: readFile,
    signal,
    onProgress: (stage, done, total, p) => post({ v: 1, kind: 'progress', id, stage, done, total, imagesPerSecond: p?.imagesPerSecond, secondsLeft: p?.secondsLeft, loss: p?.loss, backend: p?.backend }),
  });
  return { type: 'finetune', ...r, backend: training.backend, backendNote: training.note };
}

/** The live requests (picture, preview), which work ahead of need lets go first. */
const live = new LiveGate();

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.v !== PROTOCOL_VERSION) return;
  if (msg.kind === 'cancel') {
    controllers.get(msg.id)?.abort();
    return;
  }
  const ctrl = new AbortController();
  controllers.set(msg.id, ctrl);
  if (msg.job.type === 'preview') {
    for (const older of previews) controllers.get(older)?.abort();
    previews.add(msg.id);
  }
  const isLive = msg.job.type === 'preview' || msg.job.type === 'weight-sample';
  if (isLive) live.enter();
  // A lost WebGL context can leave the job waiting forever, so the error goes out at once; the
  // client then replaces this worker. `answered` keeps the job from answering twice.
  let answered = false;
  const answer = (m: WorkerResponse) => {
    if (!answered) post(m);
    answered = true;
  };
  const stopWatching = watchWebglContext(() => {
    answer({ v: 1, kind: 'error', id: msg.id, error: contextLostError().toJSON() });
    ctrl.abort();
  });
  try {
    const result = await runJob(msg.id, msg.job, ctrl.signal);
    // Figures read back from a lost context are zeros: never report them.
    if (webglContextLost()) throw contextLostError();
    answer({ v: 1, kind: 'result', id: msg.id, result });
  } catch (e) {
    const error = webglContextLost() ? contextLostError().toJSON() : ctrl.signal.aborted ? { code: 'cancelled' as const, kind: 'user' as const, message: 'Cancelled; earlier results are kept.', context: {} } : serializeError(e);
    answer({ v: 1, kind: 'error', id: msg.id, error });
  } finally {
    stopWatching();
    controllers.delete(msg.id);
    previews.delete(msg.id);
    if (isLive) live.leave();
  }
};
