/** The compression job's vocabulary: its stages, context, stage records and result (plain data). */
import type { ReadFile } from '../../data/load';
import type { Graph } from '../../graph/ir';
import type { ModelReport } from '../../metrics/model-report';
import type { QuantizedModel } from '../../quantize/quantize-graph';
import type { LayerSqnr } from '../../quantize/sqnr';
import type { FitProgress } from '../../train/fit';
import type { CompressSettings } from '../compress-settings';

export type CompressStage = 'load-model' | 'load-data' | 'evaluate-before' | 'latency-before' | 'prune' | 'train' | 'evaluate-pruned' | 'calibrate' | 'quantize' | 'evaluate-after' | 'latency-after';

/**
 * A stage's key figures, reported once with its last progress event (the studio's job log shows
 * them): test accuracy after an evaluation, median batch-1 latency, the fraction of kernel weights
 * pruning removed (zeroed or cut out, over every kernel of the model before pruning).
 */
export interface StageFigures {
  accuracy?: number;
  /** The evaluation was made before this job asked for it (ahead of need, or by an earlier job) on the same records and backend. */
  madeAhead?: boolean;
  latencyMs?: number;
  removedFraction?: number;
}

/** Keeps what `make` gives under `key` for later calls (a preview's model, data and baseline figures). */
export type Memo = <T>(key: string, make: () => Promise<T>) => Promise<T>;

export interface CompressContext {
  read: ReadFile;
  signal?: AbortSignal;
  /**
   * A preview (preview.ts): the model, the test and training records and the baseline's figures
   * come from `memo` when it has them; nothing is timed (latency and throughput are NaN with 0
   * runs), nothing gzipped (gzip sizes NaN), neither the pruned float model's accuracy nor
   * the per-layer SQNR is measured, and the result has no layer reports or flipped images.
   */
  quick?: { memo: Memo };
  /**
   * What a full job may take from earlier jobs in the same worker: the model's graph, its test
   * records and the unchanged model's evaluation on them (the same records, the same backend, so
   * the same predictions). Latency is measured afresh every time.
   */
  reuse?: Memo;
  onProgress?: (stage: CompressStage, done: number, total: number, train?: FitProgress, figures?: StageFigures) => void;
  /** Called once, just before the job returns, with its deployable models (e.g. to export them). */
  onModels?: (m: CompressedModels) => void;
  /**
   * Seconds above which the job stops before its work, with a `needs-confirmation` error giving
   * its estimate (jobs/estimate-compress.ts), so the page can ask; unset, it never asks.
   */
  askAbove?: number;
}

/** The job's inference graphs and quantized model, and its predictions on the test records. */
export interface CompressedModels {
  baseline: Graph;
  compressed: Graph;
  quantized?: QuantizedModel;
  predictions: { before: Uint8Array; after: Uint8Array };
}

export interface StageRecord {
  stage: 'prune' | 'finetune' | 'quantize';
  settings: unknown;
  elapsedMs: number;
  /** Accuracy and macro recall on the test records right after this stage (float model for prune/finetune). */
  accuracy?: number;
  macroRecall?: number;
  detail: Record<string, unknown>;
}

export interface LayerReport {
  name: string;
  op: string;
  paramsBefore: number;
  paramsAfter: number;
  /** Output channels (filters) before and after structured pruning. */
  channelsBefore: number;
  channelsAfter: number;
  /** Fraction of zero kernel weights after compression. */
  sparsity: number;
  sqnr?: Pick<LayerSqnr, 'weightSqnrDb' | 'outputSqnrDb'>;
  /** Kernel weight histogram over shared bins, before and after (the spike at zero, int8 bins). */
  histogram: { min: number; max: number; before: number[]; after: number[] };
}

export interface FlippedPrediction {
  index: number;
  label: number;
  before: number;
  after: number;
}

export interface CompressResult {
  modelId: string;
  dataset: string;
  backend: string;
  settings: CompressSettings;
  testRecords: { first: number; count: number };
  caveats: string[];
  before: ModelReport;
  after: ModelReport;
  stages: StageRecord[];
  layers: LayerReport[];
  /** Test records whose prediction changed (first 64), for the gallery. */
  flipped: FlippedPrediction[];
  flippedCount: number;
  elapsedMs: number;
  /** What the run did and what it cost, in one sentence (run-sentence.ts). */
  summary: string;
}
