/**
 * What the progress bar shows, from the job's latest progress event: the stage's label, its place
 * among the job's stages, the fraction done and the time left. Training reports its own time
 * left; other stages are estimated from the time spent in the stage so far.
 */
import type { CompressSettings } from '../engine/jobs/compress-settings';
import { withDefaults } from '../engine/jobs/compress-settings';
import { isRuntime } from '../engine/choices/deploy';
import { QUANT_MODES } from '../engine/choices/quantize';
import { runtimeForFiles } from '../engine/runtime/model-runtime';
import type { TfliteRequest } from '../workers/protocol';
import type { RunningJob } from './job-slice';

const STAGE_LABEL: Record<string, string> = {
  backend: 'Starting the backend',
  'load-model': 'Loading the model',
  'load-data': 'Loading the data',
  evaluate: 'Evaluating',
  latency: 'Measuring latency',
  train: 'Training',
  'evaluate-before': 'Evaluating the baseline',
  'latency-before': 'Measuring the baseline latency',
  prune: 'Pruning',
  'evaluate-pruned': 'Evaluating the pruned model',
  calibrate: 'Calibrating on training images',
  quantize: 'Quantizing',
  'evaluate-after': 'Evaluating the compressed model',
  'latency-after': 'Measuring the compressed model latency',
  'tflite-export': 'Exporting .tflite files',
  'tflite-choose': 'Timing int8 and float32 on both TFLite runtimes, to choose the faster',
  'tflite-evaluate': 'Evaluating the .tflite files on the TFLite runtime (real int8)',
  'tflite-latency': 'Measuring latency on the TFLite runtime',
  sensitivity: 'Measuring each layer compressed alone',
  'auto-sensitivity': 'Measuring each layer’s sensitivity on held-back training images',
  'auto-candidate': 'Trying sparsities under the budget on held-back training images',
};

/** How many stages a compression job with these settings reports (engine/jobs/compress.ts). */
function compressStageCount(s: CompressSettings): number {
  const fixed = 8; // backend, load-model, load-data, evaluate-before, latency-before, prune, evaluate-after, latency-after
  const pruned = s.prune.method !== 'none' && s.stageAccuracy ? 1 : 0; // evaluate-pruned
  const train = s.finetune.epochs > 0 ? 1 + (s.stageAccuracy ? 1 : 0) : 0; // train, evaluate-pruned again
  const calibrate = QUANT_MODES.get(s.quant.mode).calibrates ? 1 : 0; // as compress/quantize-stage.ts decides
  const quantize = s.quant.mode !== 'none' ? 1 : 0;
  return fixed + pruned + train + calibrate + quantize;
}

/** Stages of a compress job's TFLite step (workers/tflite-step.ts): export, then (timing both runtimes where the runtime is `measured`) evaluate and latency. */
function tfliteStageCount(t: TfliteRequest | undefined): number {
  if (!t) return 0;
  if (!t.evaluate) return 1;
  return isRuntime(runtimeForFiles(t.io, t.runtime)) ? 3 : 4;
}

export interface ProgressView {
  label: string;
  /** 1-based place of the stage in a compression job, and the job's number of stages. */
  stageIndex?: number;
  stageCount?: number;
  done: number;
  total: number;
  fraction: number;
  secondsLeft?: number;
  imagesPerSecond?: number;
  loss?: number;
  backend?: string;
}

export function progressView(running: RunningJob, now: number): ProgressView {
  const p = running.progress;
  const done = p?.done ?? 0;
  const total = p?.total ?? 0;
  const fraction = total > 0 ? done / total : 0;
  const elapsed = (now - running.stageStartedAt) / 1000;
  const estimated = total > 1 && fraction > 0.05 && fraction < 1 ? (elapsed / fraction) * (1 - fraction) : undefined;
  const count = running.job.type === 'compress' ? compressStageCount(withDefaults(running.job.settings)) + tfliteStageCount(running.job.tflite) : undefined;
  return {
    label: STAGE_LABEL[p?.stage ?? 'backend'] ?? p?.stage ?? '',
    stageIndex: count !== undefined ? Math.min(count, Math.max(1, running.stagesEntered)) : undefined,
    stageCount: count,
    done,
    total,
    fraction,
    secondsLeft: p?.secondsLeft ?? estimated,
    imagesPerSecond: p?.imagesPerSecond,
    loss: p?.loss,
    backend: p?.backend,
  };
}
