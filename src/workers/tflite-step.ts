/**
 * The TFLite step of a compress job, in the engine worker: export the run's models as .tflite
 * files (and the compressed model as a zipped tfjs LayersModel) and, if asked, run them on TFLite's wasm runtime in a TFLite worker of their own
 * (tflite.worker.ts) on the job's test records: real int8 accuracy, agreement with the simulated
 * int8 predictions, batch-1 latency next to float32. A failure here is reported beside the
 * compression result instead of discarding it; a cancel terminates the TFLite worker.
 */
import { EXPORT_FILES, FALLBACK_RUNTIME, isRuntime, RUNTIMES, TFLITE_RUNTIMES } from '../engine/choices/deploy';
import type { RuntimeChoice } from '../engine/jobs/runtime-choice';
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

/** Runs one request in a fresh TFLite worker, terminated when it ends or is cancelled. */
function inTfliteWorker<K extends 'result' | 'chosen'>(req: TfliteWorkerRequest, answer: K, ctx: TfliteStepContext): Promise<Extract<TfliteWorkerResponse, { kind: K }>> {
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
      if (m.kind === answer) resolve(m as Extract<TfliteWorkerResponse, { kind: K }>);
      else if (m.kind === 'error') reject(new StudioError(m.error.code, m.error.message, m.error.context, m.error.kind));
      else reject(new StudioError('internal', `The TFLite worker answered a '${req.kind}' request with '${m.kind}'.`, {}, 'bug'));
    };
    worker.postMessage(req);
  });
}

/** Runs one evaluation in a fresh TFLite worker, terminated when it ends or is cancelled. */
export async function evaluateInTfliteWorker(entry: BaselineEntry, models: TfliteEvalModel[], settings: TfliteEvalSettings, runtime: RuntimeId, numThreads: number | undefined, ctx: TfliteStepContext): Promise<TfliteEvalResult> {
  return (await inTfliteWorker({ kind: 'evaluate', entry, models, settings, runtime, wasmPath: ctx.wasmPaths[runtime], numThreads }, 'result', ctx)).result;
}

/**
 * The runtime `measured` resolves to: both runtimes timed on the run's int8 and float32 files in
 * one TFLite worker (engine/jobs/runtime-choice.ts). Where the timing itself fails, the table's
 * first runtime runs the files and the choice says why; a cancel still cancels.
 */
export async function chooseInTfliteWorker(files: TfliteEvalModel[], numThreads: number | undefined, ctx: TfliteStepContext): Promise<RuntimeChoice> {
  const bytes = (label: string) => files.find((f) => f.label === label)?.bytes;
  const float32 = bytes('float32');
  try {
    if (!float32) throw new StudioError('internal', 'The run exported no float32 .tflite to time.', {}, 'bug');
    const int8 = bytes('int8');
    const req: TfliteWorkerRequest = { kind: 'choose', files: { ...(int8 ? { int8 } : {}), float32 }, runtimes: RUNTIMES.map((r) => ({ id: r.id, wasmPath: ctx.wasmPaths[r.id] })), numThreads };
    return (await inTfliteWorker(req, 'chosen', ctx)).choice;
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    const name = TFLITE_RUNTIMES.get(FALLBACK_RUNTIME).name;
    return { chosen: FALLBACK_RUNTIME, decidedBy: 'int8', timings: [], skipped: [], capped: false, reason: `${name}, the first runtime of the table: timing the runtimes failed (${(e as Error).message}).` };
  }
}

export async function tfliteStep(entry: BaselineEntry, r: CompressResult, models: CompressedModels, req: TfliteRequest, ctx: TfliteStepContext): Promise<TfliteStepResult> {
  if (req.runtime !== undefined) TFLITE_RUNTIMES.check(req.runtime, 'tflite.runtime');
  ctx.onProgress('tflite-export', 0, 1);
  // The files are assembled by the engine, as the CLI's --export-dir and the page's downloads read them.
  const exports = await exportRun(entry.id, models, { io: req.io });
  ctx.onProgress('tflite-export', 1, 1);
  if (!req.evaluate) return { exports };
  try {
    const files = exports.models.filter((m) => !EXPORT_FILES.get(m.label).baseline).map((m) => ({ label: m.label, bytes: m.bytes }));
    const settings: TfliteEvalSettings = { limit: r.testRecords.count, latencyRuns: req.latencyRuns, reference: { label: exports.predictions.compressedLabel, predictions: exports.predictions.compressed } };
    const asked = runtimeForFiles(req.io, req.runtime);
    let runtime: RuntimeId;
    let choice: RuntimeChoice | undefined;
    if (isRuntime(asked)) runtime = asked;
    else {
      choice = await chooseInTfliteWorker(files, req.numThreads, ctx);
      runtime = choice.chosen;
    }
    const tflite = await evaluateInTfliteWorker(entry, files, settings, runtime, req.numThreads, ctx);
    return { exports, tflite: choice ? { ...tflite, runtimeChoice: choice } : tflite };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return { exports, tfliteError: serializeError(e) };
  }
}
