/**
 * The TFLite step of a compress job, in the engine worker: export the run's models as .tflite
 * files (and the compressed model as a zipped tfjs LayersModel) and, if asked, run them on TFLite's wasm runtime in a TFLite worker of their own
 * (tflite.worker.ts) on the job's test records: real int8 accuracy, agreement with the simulated
 * int8 predictions, batch-1 latency next to float32. A failure here is reported beside the
 * compression result instead of discarding it; a cancel terminates the TFLite worker.
 */
import { EXPORT_FILES } from '../engine/choices/deploy';
import { exportRun } from '../engine/export/export-run';
import { serializeError, StudioError } from '../engine/errors';
import type { CompressedModels, CompressResult } from '../engine/jobs/compress';
import type { TfliteEvalModel, TfliteEvalResult, TfliteEvalSettings } from '../engine/jobs/tflite-eval';
import { runtimeForFiles, type RuntimeId } from '../engine/runtime/model-runtime';
import type { BaselineEntry } from '../engine/types';
import type { TfliteStepResult } from '../engine/jobs/results';
import type { TfliteRequest, TfliteStage } from './protocol';
import type { TfliteWorkerRequest, TfliteWorkerResponse } from './tflite-protocol';

export interface TfliteStepContext {
  signal: AbortSignal;
  /** URL of each runtime's files (public/litert-wasm/, public/tflite-wasm/), ending in "/". */
  wasmPaths: Record<RuntimeId, string>;
  onProgress: (stage: TfliteStage, done: number, total: number) => void;
}

/** Runs one evaluation in a fresh TFLite worker, terminated when it ends or is cancelled. */
export function evaluateInTfliteWorker(entry: BaselineEntry, models: TfliteEvalModel[], settings: TfliteEvalSettings, runtime: RuntimeId, numThreads: number | undefined, ctx: TfliteStepContext): Promise<TfliteEvalResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./tflite.worker.ts', import.meta.url), { type: 'module' });
    const done = () => {
      worker.terminate();
      ctx.signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(new StudioError('cancelled', 'Cancelled.'));
    };
    ctx.signal.addEventListener('abort', onAbort);
    worker.onerror = (e) => {
      done();
      reject(new StudioError('internal', `The TFLite worker failed to start or crashed: ${e.message || 'no message (is its script served with a CSP that allows unsafe-eval?)'}`, {}, 'bug'));
    };
    worker.onmessage = (ev: MessageEvent<TfliteWorkerResponse>) => {
      const m = ev.data;
      if (m.kind === 'progress') {
        if (m.stage !== 'load-data') ctx.onProgress(m.stage, m.done, m.total);
        return;
      }
      done();
      if (m.kind === 'result') resolve(m.result);
      else if (m.kind === 'timed') reject(new StudioError('internal', 'The TFLite worker answered an evaluation with timings.', {}, 'bug'));
      else reject(new StudioError(m.error.code, m.error.message, m.error.context, m.error.kind));
    };
    const req: TfliteWorkerRequest = { kind: 'evaluate', entry, models, settings, runtime, wasmPath: ctx.wasmPaths[runtime], numThreads };
    worker.postMessage(req);
  });
}

export async function tfliteStep(entry: BaselineEntry, r: CompressResult, models: CompressedModels, req: TfliteRequest, ctx: TfliteStepContext): Promise<TfliteStepResult> {
  ctx.onProgress('tflite-export', 0, 1);
  // The files are assembled by the engine, as the CLI's --export-dir and the page's downloads read them.
  const exports = await exportRun(entry.id, models, { io: req.io });
  ctx.onProgress('tflite-export', 1, 1);
  if (!req.evaluate) return { exports };
  try {
    const files = exports.models.filter((m) => !EXPORT_FILES.get(m.label).baseline).map((m) => ({ label: m.label, bytes: m.bytes }));
    const settings: TfliteEvalSettings = { limit: r.testRecords.count, latencyRuns: req.latencyRuns, reference: { label: exports.predictions.compressedLabel, predictions: exports.predictions.compressed } };
    return { exports, tflite: await evaluateInTfliteWorker(entry, files, settings, runtimeForFiles(req.io, req.runtime), req.numThreads, ctx) };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return { exports, tfliteError: serializeError(e) };
  }
}
