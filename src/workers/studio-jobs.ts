/**
 * The worker's jobs around a user's own models and the gallery: validate an uploaded model,
 * read test records' pixels, train from scratch. Kept apart from engine.worker.ts, which stays a
 * thin switch and hands these job types here.
 */
import type { ReadFile } from '../engine/data/load';
import { loadDataset } from '../engine/data/load';
import { loadHead } from '../engine/data/head';
import { getDataset } from '../engine/data/registry';
import { StudioError } from '../engine/errors';
import { trainFromScratch } from '../engine/jobs/train-from-scratch';
import { openUserModel, USER_MODEL_ROOT, type UserModel } from '../engine/jobs/user-model';
import { PROPOSAL_IMAGES, type ScalingProposal } from '../engine/choices/input-scaling';
import { proposeScaling } from '../engine/jobs/propose-scaling';
import { loadLayersModel } from '../engine/models/load';
import { prepareTrainingBackend } from '../engine/train/training-backend';
import type { JobResult, RecordsResult } from '../engine/jobs/results';
import { MAX_RECORDS, type JobRequest, type ProgressMessage, type RecordsJob, type UserModelPayload } from './protocol';
import { webglRenderer } from './webgl-renderer';
import { startingBackend } from './backend-lock';
import { ensureBackend } from './explain-job';

export type StudioJob = Extract<JobRequest, { type: 'validate-model' | 'records' | 'train' }>;

export interface StudioJobContext {
  read: ReadFile;
  signal: AbortSignal;
  progress: (p: Omit<ProgressMessage, 'v' | 'kind' | 'id'>) => void;
  wasmPrefix: string;
}

export function isStudioJob(job: JobRequest): job is StudioJob {
  return job.type === 'validate-model' || job.type === 'records' || job.type === 'train';
}

/** A user's model from its payload: validated, with a reader over its files (fallback: the origin). */
export function userModel(p: UserModelPayload, fallback: ReadFile): UserModel {
  return openUserModel({ id: p.id, dataset: p.dataset, files: p.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })), preprocessing: p.preprocessing }, fallback);
}

/** The input scaling that classifies the first 200 training images best (engine/jobs/input-scaling.ts). */
async function scalingProposal(m: UserModel, ctx: StudioJobContext): Promise<ScalingProposal> {
  // The proposal runs the model, and may be the first job of a fresh worker: start a backend.
  await ensureBackend(ctx.wasmPrefix);
  ctx.progress({ stage: 'load-model', done: 0, total: 1 });
  const { model } = await loadLayersModel(m.entry.path, m.read);
  try {
    const d = getDataset(m.entry.dataset);
    ctx.progress({ stage: 'load-data', done: 0, total: 1 });
    const train = await loadHead(d, 'train', (name) => ctx.read(`data/${d.id}/${name}`), PROPOSAL_IMAGES);
    ctx.signal.throwIfAborted();
    return await proposeScaling(model, train);
  } finally {
    model.dispose();
  }
}

async function records(job: RecordsJob, read: ReadFile): Promise<RecordsResult> {
  const d = getDataset(job.dataset);
  const ok = job.indices.length <= MAX_RECORDS && job.indices.every((i) => Number.isInteger(i) && i >= 0 && i < d.testCount);
  if (!ok) throw new StudioError('bad-settings', `Records must be at most ${MAX_RECORDS} whole numbers from 0 to ${d.testCount - 1}.`, { found: job.indices.slice(0, 5) }, 'bug');
  if (job.indices.length === 0) return { type: 'records', dataset: d.id, shape: d.shape, indices: [], labels: [], pixels: new Uint8Array(0) };
  const first = Math.min(...job.indices);
  const count = Math.max(...job.indices) - first + 1;
  const ds = await loadDataset(d, 'test', (name) => read(`data/${d.id}/${name}`), { first, count });
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  const pixels = new Uint8Array(job.indices.length * per);
  job.indices.forEach((idx, k) => pixels.set(ds.pixels.subarray((idx - first) * per, (idx - first + 1) * per), k * per));
  return { type: 'records', dataset: d.id, shape: d.shape, indices: [...job.indices], labels: job.indices.map((idx) => ds.labels[idx - first]), pixels };
}

export async function runStudioJob(job: StudioJob, ctx: StudioJobContext): Promise<JobResult> {
  if (job.type === 'validate-model') {
    const m = userModel(job.upload, ctx.read);
    return { type: 'validate-model', summary: m.summary, proposal: job.propose ? await scalingProposal(m, ctx) : undefined };
  }
  if (job.type === 'records') {
    ctx.progress({ stage: 'load-data', done: 0, total: 1 });
    return records(job, ctx.read);
  }
  const training = await startingBackend(() => prepareTrainingBackend(job.backend, { wasmPrefix: ctx.wasmPrefix, webglRenderer: job.backend === 'auto' ? webglRenderer() : undefined }));
  const r = await trainFromScratch(job.settings, `${USER_MODEL_ROOT}/${job.id}`, {
    read: ctx.read,
    signal: ctx.signal,
    onProgress: (stage, done, total, p) => ctx.progress({ stage, done, total, imagesPerSecond: p?.imagesPerSecond, secondsLeft: p?.secondsLeft, loss: p?.loss, backend: p?.backend }),
  });
  return { type: 'train', id: job.id, ...r, entry: { ...r.entry, id: job.id }, backendNote: training.note };
}
