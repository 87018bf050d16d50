/**
 * What each job returns, as plain data: the engine's result of the job plus what the worker adds
 * (the backend note, and for a compression with the TFLite step its exported files and their
 * measurements). The worker protocol (workers/protocol.ts) carries these; the studio, the history,
 * the CLI and the bench read them.
 */
import type { SerializedError } from '../errors';
import type { CompressExports } from '../export/compress-exports';
import type { DatasetId, InputShape } from '../types';
import type { CompressResult } from './compress';
import type { EvaluateBaselineResult } from './evaluate-baseline';
import type { FinetuneResult } from './finetune-baseline';
import type { TfliteEvalResult } from './tflite-eval';
import type { TrainFromScratchResult } from './train-from-scratch';
import type { ScalingProposal } from '../choices/input-scaling';
import type { UserModelSummary } from './user-model';
import type { WeightSample } from '../explain/weight-sample';
import type { PreviewResult } from './preview';
import type { SensitivityResult } from './sensitivity';
import type { AutoSearchResult } from './auto-search';

/** What an evaluate job returns: the engine's result plus the backend note. */
export type EvaluateResult = EvaluateBaselineResult & { type: 'evaluate'; backendNote?: string };
export type FinetuneJobResult = FinetuneResult & { type: 'finetune' };

/** The TFLite step's part of a compression's result (workers/tflite-step.ts). */
export interface TfliteStepResult {
  /** With `tflite` in the job: the .tflite files (and the tfjs zip), their summaries and arena plans. */
  exports?: CompressExports;
  /** With `tflite.evaluate`: the files measured on TFLite (real int8), labelled apart from tfjs. */
  tflite?: TfliteEvalResult;
  /** Why the TFLite step failed, if it did (the compression result stands). */
  tfliteError?: SerializedError;
}

export type CompressJobResult = CompressResult & TfliteStepResult & { type: 'compress'; backendNote?: string };
/** The model's summary, and the input scaling that scores best on 200 training images (jobs/input-scaling.ts). */
export type ValidateModelResult = { type: 'validate-model'; summary: UserModelSummary; proposal?: ScalingProposal };
export type RecordsResult = { type: 'records'; dataset: DatasetId; shape: InputShape; indices: number[]; labels: number[]; pixels: Uint8Array };
export type TrainJobResult = TrainFromScratchResult & { type: 'train'; id: string; backendNote?: string };
/** One conv layer's weights under the recipe, for the live picture (explain/weight-sample.ts). */
export type WeightSampleResult = { type: 'weight-sample'; modelId: string; sample: WeightSample };
export type PreviewJobResult = PreviewResult & { type: 'preview' };
/** The unchanged model's accuracy, now kept in the worker for the next Compress. */
export type WarmJobResult = { type: 'warm'; modelId: string; accuracy: number };
/** Each layer compressed alone: its output error, and the model's accuracy and divergence on held-back training images (jobs/sensitivity.ts). */
export type SensitivityJobResult = SensitivityResult & { type: 'sensitivity' };
/** The automatic search's candidates and pick, judged on held-back training images (jobs/auto-search.ts). */
export type AutoSearchJobResult = AutoSearchResult & { type: 'auto-search'; modelId: string; backendNote?: string };
export type JobResult = EvaluateResult | FinetuneJobResult | CompressJobResult | ValidateModelResult | RecordsResult | TrainJobResult | WeightSampleResult | PreviewJobResult | WarmJobResult | SensitivityJobResult | AutoSearchJobResult;
