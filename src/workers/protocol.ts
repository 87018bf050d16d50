/**
 * The one typed protocol between the UI and the engine worker. Versioned; every message carries
 * the id of the job it belongs to. No tensor ever crosses it: only plain data and typed arrays.
 */
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { EvaluateBaselineResult } from '../engine/jobs/evaluate-baseline';
import type { CompressResult, CompressStage, StageFigures } from '../engine/jobs/compress';
import type { CompressExports } from '../engine/export/compress-exports';
import type { TfliteIo } from '../engine/export/tflite/from-graph';
import type { TfliteEvalResult } from '../engine/jobs/tflite-eval';
import type { RuntimeId } from '../engine/runtime/model-runtime';
import type { PartialCompressSettings, PruneSettings } from '../engine/jobs/compress-settings';
import type { Granularity } from '../engine/quantize/quantize-graph';
import type { WeightSample } from '../engine/explain/weight-sample';
import type { CompressSettings } from '../engine/jobs/compress-settings';
import type { PreviewResult } from '../engine/jobs/preview';
import type { FinetuneResult, FinetuneSettings } from '../engine/jobs/finetune-baseline';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { UserModelSummary } from '../engine/jobs/user-model';
import type { TrainFromScratchResult, TrainFromScratchSettings } from '../engine/jobs/train-from-scratch';
import type { DatasetId, InputShape } from '../engine/types';

export const PROTOCOL_VERSION = 1;

export interface EvaluateJob {
  type: 'evaluate';
  /** Baseline id from public/models/index.json. */
  modelId: string;
  backend: BackendName;
  /** Evaluate on at most this many of the baseline's test records (default: all of them). */
  limit?: number;
  /** A user's own model instead of a shipped baseline (modelId is then its id). */
  upload?: UserModelPayload;
}

export interface FinetuneJob {
  type: 'finetune';
  modelId: string;
  /** 'auto' trains on wasm unless WebGL is hardware-accelerated. */
  backend: TrainingBackendChoice;
  settings: FinetuneSettings;
  /** A user's own model instead of a shipped baseline (modelId is then its id). */
  upload?: UserModelPayload;
}

/** Prune / fine-tune / quantize a baseline and measure it before and after. */
export interface CompressJob {
  type: 'compress';
  modelId: string;
  /** Backend for every stage; 'auto' as for fine-tuning. */
  backend: TrainingBackendChoice;
  /** Missing fields take DEFAULT_SETTINGS (engine/jobs/compress-settings.ts). */
  settings: PartialCompressSettings;
  /** Export .tflite files (and optionally run them on TFLite) when the job ends. */
  tflite?: TfliteRequest;
  /** A user's own model instead of a shipped baseline (modelId is then its id). */
  upload?: UserModelPayload;
}

/** What a compress job does with TFLite after compressing (engine/export, engine/jobs/tflite-eval.ts). */
export interface TfliteRequest {
  /** I/O of the int8 file: 'float' (QUANTIZE/DEQUANTIZE inside, default) or 'int8'. */
  io?: TfliteIo;
  /** Run the exported files on the TFLite wasm runtime on the job's test records. */
  evaluate?: boolean;
  /** Timed batch-1 runs per file (default 200). */
  latencyRuns?: number;
  /** TFLite interpreter threads (default 1). */
  numThreads?: number;
  /**
   * Which runtime runs the files (default: LiteRT.js, or tfjs-tflite where the int8 file has int8
   * I/O, which LiteRT.js' JS tensors cannot carry). See runtimeForFiles in engine/runtime/model-runtime.ts.
   */
  runtime?: RuntimeId;
}

/** A user's own LayersModel: its files (ArrayBuffers, transferred) and the dataset it is for. */
export interface UserModelPayload {
  /** The studio's id for it (lower-case, digits, dashes), never a user-typed name. */
  id: string;
  dataset: DatasetId;
  files: Array<{ name: string; bytes: ArrayBuffer }>;
}

/** Validate a user's model for a dataset (engine/jobs/user-model.ts) before the studio keeps it. */
export interface ValidateModelJob {
  type: 'validate-model';
  upload: UserModelPayload;
}

/** Test records' pixels, e.g. for the gallery of flipped predictions (at most 64). */
export interface RecordsJob {
  type: 'records';
  dataset: DatasetId;
  /** Absolute record indices in the test split. */
  indices: number[];
}

/** Train an architecture with no shipped baseline from scratch (engine/jobs/train-from-scratch.ts). */
export interface TrainJob {
  type: 'train';
  /** The studio's id for the trained model. */
  id: string;
  backend: TrainingBackendChoice;
  settings: TrainFromScratchSettings;
}

/** One layer's weights under a recipe, for the live picture (engine/explain/weight-sample.ts). */
export interface WeightSampleJob {
  type: 'weight-sample';
  modelId: string;
  upload?: UserModelPayload;
  prune: PruneSettings;
  granularity: Granularity;
}

/**
 * A live preview of a recipe (engine/jobs/preview.ts): the compress job on a small test subset,
 * untimed, with the model and data kept in the worker between previews. A newer preview cancels
 * the older ones still running. It runs on the backend a job already started (else wasm).
 */
export interface PreviewJob {
  type: 'preview';
  modelId: string;
  upload?: UserModelPayload;
  settings: CompressSettings;
}

export const MAX_RECORDS = 64;

export type JobRequest = EvaluateJob | FinetuneJob | CompressJob | ValidateModelJob | RecordsJob | TrainJob | WeightSampleJob | PreviewJob;

export type WorkerRequest =
  | { v: typeof PROTOCOL_VERSION; kind: 'job'; id: number; job: JobRequest }
  | { v: typeof PROTOCOL_VERSION; kind: 'cancel'; id: number };

export type Stage = 'backend' | 'load-model' | 'load-data' | 'evaluate' | 'latency' | 'train' | CompressStage | TfliteStage;

/** Stages after compression when a compress job asks for TFLite files. */
export type TfliteStage = 'tflite-export' | 'tflite-evaluate' | 'tflite-latency';

/** What an evaluate job returns: the engine's result plus the backend note. */
export type EvaluateResult = EvaluateBaselineResult & { type: 'evaluate'; backendNote?: string };
export type FinetuneJobResult = FinetuneResult & { type: 'finetune' };
export type CompressJobResult = CompressResult & {
  type: 'compress';
  backendNote?: string;
  /** With `tflite` in the job: the .tflite files, their summaries and arena plans. */
  exports?: CompressExports;
  /** With `tflite.evaluate`: the files measured on TFLite (real int8), labelled apart from tfjs. */
  tflite?: TfliteEvalResult;
  /** Why the TFLite step failed, if it did (the compression result stands). */
  tfliteError?: SerializedError;
};
export type ValidateModelResult = { type: 'validate-model'; summary: UserModelSummary };
export type RecordsResult = { type: 'records'; dataset: DatasetId; shape: InputShape; indices: number[]; labels: number[]; pixels: Uint8Array };
export type TrainJobResult = TrainFromScratchResult & { type: 'train'; id: string; backendNote?: string };
export type WeightSampleResult = { type: 'weight-sample'; modelId: string; sample: WeightSample };
export type PreviewJobResult = PreviewResult & { type: 'preview' };
export type JobResult = EvaluateResult | FinetuneJobResult | CompressJobResult | ValidateModelResult | RecordsResult | TrainJobResult | WeightSampleResult | PreviewJobResult;

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
  /** Sent with a stage's last event: its key figures (accuracy, latency, pruned fraction) for the job log. */
  figures?: StageFigures;
}

export type WorkerResponse =
  | ProgressMessage
  | { v: typeof PROTOCOL_VERSION; kind: 'result'; id: number; result: JobResult }
  | { v: typeof PROTOCOL_VERSION; kind: 'error'; id: number; error: SerializedError };
