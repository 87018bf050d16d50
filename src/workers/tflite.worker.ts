/// <reference lib="webworker" />
/**
 * The TFLite worker: runs exported .tflite files on a TFLite wasm runtime (LiteRT.js, or
 * @tensorflow/tfjs-tflite) for the engine worker. It is a worker of its own because both runtimes
 * build their JS bindings with `new Function` (emscripten embind): this worker's script alone is served
 * with 'unsafe-eval' in its Content-Security-Policy (vite.config.ts), while the page and the
 * engine worker keep the strict policy. Terminating it frees the runtime's heap and threads.
 */
import { serializeError } from '../engine/errors';
import { evaluateTflite, timeTfliteModels } from '../engine/jobs/tflite-eval';
import { chooseRuntimeByTiming } from '../engine/jobs/runtime-choice';
import { createLiteRtRuntime } from '../engine/runtime/litert-runtime';
import { createTfliteRuntime } from '../engine/runtime/tflite-runtime';
import type { TfliteWorkerRequest, TfliteWorkerResponse } from './tflite-protocol';
import { checkRuntime, type RuntimeId } from '../engine/choices/deploy';
import type { ModelRuntime } from '../engine/runtime/model-runtime';
import { readServed } from './read-served';

/** One factory per runtime of the table; an unknown name is refused, never run on another runtime. */
const RUNTIMES: Record<RuntimeId, (opts: { wasmPath: string; numThreads?: number }) => ModelRuntime> = { litert: createLiteRtRuntime, 'tfjs-tflite': createTfliteRuntime };

const scope = self as unknown as DedicatedWorkerGlobalScope;
const origin = scope.location.origin + '/';

function post(msg: TfliteWorkerResponse): void {
  scope.postMessage(msg);
}

function read(path: string): Promise<Uint8Array> {
  return readServed(origin, path);
}

scope.onmessage = async (ev: MessageEvent<TfliteWorkerRequest>) => {
  const m = ev.data;
  try {
    if (m.kind === 'choose') {
      // Both runtimes live in this worker at once, so that their invokes can interleave.
      const candidates = m.runtimes.map((r) => ({ id: checkRuntime(r.id, 'runtime'), runtime: RUNTIMES[checkRuntime(r.id, 'runtime')]({ wasmPath: r.wasmPath, numThreads: m.numThreads }) }));
      const choice = await chooseRuntimeByTiming(candidates, m.files, { ...m.options, onProgress: (done, total) => post({ kind: 'progress', stage: 'tflite-choose', done, total }) });
      post({ kind: 'chosen', choice });
      return;
    }
    const opts = { wasmPath: m.wasmPath, numThreads: m.numThreads };
    const runtime = RUNTIMES[checkRuntime(m.runtime, 'runtime')](opts);
    if (m.kind === 'time') {
      post({ kind: 'timed', timings: await timeTfliteModels(runtime, m.groups, m) });
      return;
    }
    const result = await evaluateTflite(m.entry, m.models, runtime, m.settings, { read, onProgress: (stage, done, total) => post({ kind: 'progress', stage, done, total }) });
    post({ kind: 'result', result });
  } catch (e) {
    post({ kind: 'error', error: serializeError(e) });
  }
};
