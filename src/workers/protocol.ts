/**
 * The one typed protocol between the UI and the engine worker. Versioned; every message carries
 * the id of the job it belongs to. No tensor ever crosses it: only plain data and typed arrays.
 */
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { EvaluateBaselineResult } from '../engine/jobs/evaluate-baseline';
import type { CompressResult, CompressStage } from '../engine/jobs/compress';
import type { PartialCompressSettings } from '../engine/jobs/compress-settings';
import type { FinetuneResult, FinetuneSettings } from '../engine/jobs/finetune-baseline';
import type { TrainingBackendChoice } from '../engine/train/training-backend';

export const PROTOCOL_VERSION = 1;

export interface EvaluateJob {
  type: 'evaluate';
  /** Baseline id from public/models/index.json. */
  modelId: string;
  backend: BackendName;
  /** Evaluate on at most this many of the baseline's test records (default: all of them). */
  limit?: number;
}

export interface FinetuneJob {
  type: 'finetune';
  modelId: string;
  /** 'auto' trains on wasm unless WebGL is hardware-accelerated. */
  backend: TrainingBackendChoice;
  settings: FinetuneSettings;
}

/** Prune / fine-tune / quantize a baseline and measure it before and after. */
export interface CompressJob {
  type: 'compress';
  modelId: string;
  /** Backend for every stage; 'auto' as for fine-tuning. */
  backend: TrainingBackendChoice;
  /** Missing fields take DEFAULT_SETTINGS (engine/jobs/compress-settings.ts). */
  settings: PartialCompressSettings;
}

export type JobRequest = EvaluateJob | FinetuneJob | CompressJob;

export type WorkerRequest =
  | { v: typeof PROTOCOL_VERSION; kind: 'job'; id: number; job: JobRequest }
  | { v: typeof PROTOCOL_VERSION; kind: 'cancel'; id: number };

export type Stage = 'backend' | 'load-model' | 'load-data' | 'evaluate' | 'latency' | 'train' | CompressStage;

/** What an evaluate job returns: the engine's result plus the backend note. */
export type EvaluateResult = EvaluateBaselineResult & { type: 'evaluate'; backendNote?: string };
export type FinetuneJobResult = FinetuneResult & { type: 'finetune' };
export type CompressJobResult = CompressResult & { type: 'compress'; backendNote?: string };
export type JobResult = EvaluateResult | FinetuneJobResult | CompressJobResult;

export interface ProgressMessage {
  v: typeof PROTOCOL_VERSION;
  kind: 'progress';
  id: number;
  stage: Stage;
  done: number;
  total: number;
  /** Training only: images per second so far, seconds left, last loss, training backend. */
  imagesPerSecond?: number;
  secondsLeft?: number;
  loss?: number;
  backend?: string;
}

export type WorkerResponse =
  | ProgressMessage
  | { v: typeof PROTOCOL_VERSION; kind: 'result'; id: number; result: JobResult }
  | { v: typeof PROTOCOL_VERSION; kind: 'error'; id: number; error: SerializedError };
