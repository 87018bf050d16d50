/**
 * Messages between the engine worker and the TFLite worker (tflite.worker.ts), which the engine
 * worker starts for one evaluation and terminates afterwards. Plain data and typed arrays only.
 */
import type { SerializedError } from '../engine/errors';
import type { TfliteEvalModel, TfliteEvalResult, TfliteEvalSettings, TfliteTiming } from '../engine/jobs/tflite-eval';
import type { RuntimeId } from '../engine/runtime/model-runtime';
import type { RuntimeChoice } from '../engine/jobs/runtime-choice';
import type { BaselineEntry } from '../engine/types';

export type TfliteWorkerRequest =
  | {
      kind: 'evaluate';
      entry: BaselineEntry;
      models: TfliteEvalModel[];
      settings: TfliteEvalSettings;
      runtime: RuntimeId;
      /** URL of the runtime's files (public/litert-wasm/ or public/tflite-wasm/), ending in "/". */
      wasmPath: string;
      numThreads?: number;
    }
  | {
      /** Invoke times of groups of files on zero input (bench/tflite-int8.ts: single operators). */
      kind: 'time';
      groups: TfliteEvalModel[][];
      runs: number;
      warmup: number;
      runtime: RuntimeId;
      wasmPath: string;
      numThreads?: number;
    }
  | {
      /** The runtime chosen by measurement (engine/jobs/runtime-choice.ts): the files timed on every runtime listed, in this one worker. */
      kind: 'choose';
      files: { int8?: Uint8Array; float32: Uint8Array };
      /** In the table's order (a tie keeps the first). */
      runtimes: Array<{ id: RuntimeId; wasmPath: string }>;
      numThreads?: number;
      options?: { runs?: number; warmup?: number; maxMs?: number };
    };

export type TfliteWorkerStage = 'load-data' | 'tflite-choose' | 'tflite-evaluate' | 'tflite-latency';

export type TfliteWorkerResponse =
  | { kind: 'progress'; stage: TfliteWorkerStage; done: number; total: number }
  | { kind: 'result'; result: TfliteEvalResult }
  | { kind: 'timed'; timings: TfliteTiming[][] }
  | { kind: 'chosen'; choice: RuntimeChoice }
  | { kind: 'error'; error: SerializedError };
