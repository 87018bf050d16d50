/**
 * The engine job that runs (one at a time), its latest progress, the results each kind of job
 * returned, and the last error with the job it came from. Results are stored as the worker
 * returned them; a failed or cancelled job never removes an earlier result.
 */
import type { StateCreator } from 'zustand';
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { Progress } from '../workers/client';
import type { CompressJobResult, EvaluateResult, FinetuneJobResult, JobResult, TrainJobResult } from '../engine/jobs/results';
import type { JobRequest } from '../workers/protocol';
import { logEnd, logProgress, type LogEntry } from './job-log';
import type { StudioState } from './store';

export type JobType = JobRequest['type'];

export interface RunningJob {
  jobId: number;
  type: JobType;
  job: JobRequest;
  progress?: Progress;
  /** How many distinct stages the job has entered so far (a stage may run twice). */
  stagesEntered: number;
  /** performance.now() when the job started, and when its current stage started. */
  startedAt: number;
  stageStartedAt: number;
}

export interface JobSlice {
  /** Inference backend of the Evaluate panel. */
  backend: BackendName;
  running?: RunningJob;
  result?: EvaluateResult;
  finetune?: FinetuneJobResult;
  compress?: CompressJobResult;
  /** The last train-from-scratch result (its model is kept among the user's models). */
  trained?: TrainJobResult;
  error?: { job: JobType; error: SerializedError };
  /** When (Date.now()) WebGL's context was last lost; the pickers then moved from webgl to wasm. */
  webglLostAt?: number;
  /** The log of the running job, or of the last one (kept after it ends, until the next starts). */
  log?: { job: JobType; entries: LogEntry[] };
  setBackend: (b: BackendName) => void;
  started: (jobId: number, job: JobRequest) => void;
  progressed: (p: Progress) => void;
  finished: (r: JobResult) => void;
  failed: (job: JobType, e: SerializedError) => void;
}

/**
 * After a lost WebGL context, every backend picker that could choose webgl shows wasm (what runs
 * next), and the page says why. 'auto' moves too when the failed job ran on it.
 */
function wasmAfterContextLoss(s: StudioState, job: JobRequest | undefined): Partial<StudioState> {
  const jobAuto = (b: string) => b === 'webgl' || (b === 'auto' && job !== undefined && 'backend' in job && job.backend === 'auto');
  const text = 'WebGL stopped working (its context was lost), so the job that used it stopped and the studio switched to the wasm backend. Earlier results and the history are kept.';
  return {
    webglLostAt: Date.now(),
    backend: s.backend === 'webgl' ? 'wasm' : s.backend,
    compressBackend: jobAuto(s.compressBackend) ? 'wasm' : s.compressBackend,
    trainForm: jobAuto(s.trainForm.backend) ? { ...s.trainForm, backend: 'wasm' } : s.trainForm,
    notices: [...s.notices.filter((n) => n.id !== 'webgl-lost'), { id: 'webgl-lost', text }],
  };
}

/** Where each kind of result goes; a result of a side request (validation, records) touches nothing. */
function resultPatch(r: JobResult): Partial<JobSlice> {
  switch (r.type) {
    case 'evaluate':
      return { result: r, running: undefined };
    case 'finetune':
      return { finetune: r, running: undefined };
    case 'compress':
      return { compress: r, running: undefined };
    case 'train':
      return { trained: r, running: undefined };
    default:
      return { running: undefined };
  }
}

export const createJobSlice: StateCreator<StudioState, [], [], JobSlice> = (set) => ({
  backend: 'wasm',
  setBackend: (backend) => set({ backend }),
  started: (jobId, job) => {
    const now = performance.now();
    set({ running: { jobId, type: job.type, job, stagesEntered: 0, startedAt: now, stageStartedAt: now }, error: undefined, log: { job: job.type, entries: [] } });
  },
  progressed: (progress) =>
    set((s) => {
      if (!s.running) return {};
      const now = performance.now();
      const same = s.running.progress?.stage === progress.stage;
      return {
        running: { ...s.running, progress, stageStartedAt: same ? s.running.stageStartedAt : now, stagesEntered: s.running.stagesEntered + (same ? 0 : 1) },
        log: { job: s.running.type, entries: logProgress(s.log?.entries ?? [], progress, now - s.running.startedAt) },
      };
    }),
  // A new result replaces the old one only when it arrives.
  finished: (r) => set((s) => ({ ...resultPatch(r), ...(s.running ? { log: { job: s.running.type, entries: logEnd(s.log?.entries ?? [], performance.now() - s.running.startedAt, { result: r }) } } : {}) })),
  failed: (job, error) =>
    set((s) => ({
      ...(error.code === 'webgl-context-lost' ? wasmAfterContextLoss(s, s.running?.job) : {}),
      error: { job, error },
      running: undefined,
      ...(s.running ? { log: { job: s.running.type, entries: logEnd(s.log?.entries ?? [], performance.now() - s.running.startedAt, { error }) } } : {}),
    })),
});
