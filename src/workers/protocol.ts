/**
 * The one typed protocol between the UI and the engine worker. Versioned; every message carries
 * the id of the job it belongs to. No tensor ever crosses it: only plain data and typed arrays.
 */
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { JobResult } from '../engine/jobs/results';
import type { CompressStage, StageFigures } from '../engine/jobs/compress';
import type { TfliteIo } from '../engine/choices/deploy';
import type { RuntimeChoiceId } from '../engine/choices/deploy';
import type { PartialCompressSettings, PruneSettings, CompressSettings } from '../engine/jobs/compress-settings';
import type { Granularity } from '../engine/quantize/quantize-graph';
import type { FinetuneSettings } from '../engine/jobs/finetune-baseline';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { TrainFromScratchSettings } from '../engine/jobs/train-from-scratch';
import type { DatasetId, Preprocessing } from '../engine/types';
import type { SensitivitySettings } from '../engine/jobs/sensitivity-settings';
import type { SensitivityStage } from '../engine/jobs/sensitivity';
import type { AutoBudget } from '../engine/choices/auto-budget';
import type { AutoCandidate } from '../engine/recon/budget-search';

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
  /** The user said yes to a job estimated above CONFIRM_ABOVE_S (engine/jobs/estimate.ts); without it such a job stops with `needs-confirmation`. */
  confirmedLong?: boolean;
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
   * Which runtime runs the files (default `measured`: both timed in the TFLite worker, the one with
   * the faster int8 file runs them; tfjs-tflite where the int8 file has int8 I/O, which LiteRT.js'
   * JS tensors cannot carry). See runtimeForFiles in engine/runtime/model-runtime.ts.
   */
  runtime?: RuntimeChoiceId;
}

/** A user's own model (any format models/formats/ reads): its files (ArrayBuffers, transferred), the dataset it is for, its input scaling. */
export interface UserModelPayload {
  /** The studio's id for it (lower-case, digits, dashes), never a user-typed name. */
  id: string;
  dataset: DatasetId;
  files: Array<{ name: string; bytes: ArrayBuffer }>;
  /** How its inputs are scaled; the dataset's baselines' scaling when absent. */
  preprocessing?: Preprocessing;
}

/**
 * Validate a user's model for a dataset (engine/jobs/user-model.ts) before the studio keeps it;
 * with `propose`, also classify 200 training images under every input scaling
 * (engine/jobs/input-scaling.ts).
 */
export interface ValidateModelJob {
  type: 'validate-model';
  upload: UserModelPayload;
  propose?: boolean;
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
/**
 * Work ahead of need (engine/jobs/compress.ts warmBaseline): the unchanged model's evaluation on
 * the test records a Compress with `evalLimit` evaluates, kept in the worker for that Compress.
 */
export interface WarmJob {
  type: 'warm';
  modelId: string;
  upload?: UserModelPayload;
  evalLimit?: number;
}

export interface PreviewJob {
  type: 'preview';
  modelId: string;
  upload?: UserModelPayload;
  settings: CompressSettings;
}

/**
 * Each weighted layer of a model compressed alone (engine/jobs/sensitivity.ts): pruned by
 * reconstruction at each sparsity and quantized to int8, measured on held-back training images.
 * Progress counts layers; the worker keeps reports per weights and settings.
 */
export interface SensitivityJob {
  type: 'sensitivity';
  modelId: string;
  upload?: UserModelPayload;
  /** 'auto' as for fine-tuning (the compress form's backend). */
  backend: TrainingBackendChoice;
  settings: SensitivitySettings;
}

/**
 * The automatic search under a budget (engine/jobs/auto-search.ts): candidates judged on held-back
 * training images, never the test records. The page then compresses the pick as an ordinary run.
 */
export interface AutoSearchJob {
  type: 'auto-search';
  modelId: string;
  upload?: UserModelPayload;
  backend: TrainingBackendChoice;
  /** The recipe every candidate follows; prune.allocation spreads each candidate's total sparsity. */
  settings: CompressSettings;
  budget: AutoBudget;
}

export const MAX_RECORDS = 64;

export type JobRequest = EvaluateJob | FinetuneJob | CompressJob | ValidateModelJob | RecordsJob | TrainJob | WeightSampleJob | PreviewJob | WarmJob | SensitivityJob | AutoSearchJob;

export type WorkerRequest = { v: typeof PROTOCOL_VERSION; kind: 'job'; id: number; job: JobRequest } | { v: typeof PROTOCOL_VERSION; kind: 'cancel'; id: number };

export type Stage = 'backend' | 'load-model' | 'load-data' | 'evaluate' | 'latency' | 'train' | CompressStage | TfliteStage | SensitivityStage | AutoStage;

/** The automatic search's stages: the dense sensitivity analysis, then the candidates. */
export type AutoStage = 'auto-sensitivity' | 'auto-candidate';

/** Stages after compression when a compress job asks for TFLite files. */
export type TfliteStage = 'tflite-export' | 'tflite-choose' | 'tflite-evaluate' | 'tflite-latency';

/** The results are the engine's (engine/jobs/results.ts); re-exported for the bench and the tests. */
export type {
  AutoSearchJobResult,
  CompressJobResult,
  EvaluateResult,
  FinetuneJobResult,
  JobResult,
  PreviewJobResult,
  RecordsResult,
  SensitivityJobResult,
  TrainJobResult,
  ValidateModelResult,
  WeightSampleResult,
} from '../engine/jobs/results';

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
  /** The automatic search: each candidate as soon as it is measured (held-back figures only). */
  candidate?: AutoCandidate;
}

export type WorkerResponse = ProgressMessage | { v: typeof PROTOCOL_VERSION; kind: 'result'; id: number; result: JobResult } | { v: typeof PROTOCOL_VERSION; kind: 'error'; id: number; error: SerializedError };
