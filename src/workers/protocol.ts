/**
 * The one typed protocol between the UI and the engine worker. Versioned; every message carries
 * the id of the job it belongs to. No tensor ever crosses it: only plain data and typed arrays.
 */
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { EvaluateBaselineResult } from '../engine/jobs/evaluate-baseline';

export const PROTOCOL_VERSION = 1;

export interface EvaluateJob {
  type: 'evaluate';
  /** Baseline id from public/models/index.json. */
  modelId: string;
  backend: BackendName;
  /** Evaluate on at most this many of the baseline's test records (default: all of them). */
  limit?: number;
}

export type JobRequest = EvaluateJob;

export type WorkerRequest =
  | { v: typeof PROTOCOL_VERSION; kind: 'job'; id: number; job: JobRequest }
  | { v: typeof PROTOCOL_VERSION; kind: 'cancel'; id: number };

export type Stage = 'backend' | 'load-model' | 'load-data' | 'evaluate' | 'latency';

/** What an evaluate job returns: the engine's result plus the backend note. */
export type EvaluateResult = EvaluateBaselineResult & { backendNote?: string };

export type WorkerResponse =
  | { v: typeof PROTOCOL_VERSION; kind: 'progress'; id: number; stage: Stage; done: number; total: number; message?: string }
  | { v: typeof PROTOCOL_VERSION; kind: 'result'; id: number; result: EvaluateResult }
  | { v: typeof PROTOCOL_VERSION; kind: 'error'; id: number; error: SerializedError };
