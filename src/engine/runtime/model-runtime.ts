/**
 * The seam between the engine and an inference runtime that executes exported model files: TFLite
 * compiled to wasm, either LiteRT.js (@litertjs/core: litert-runtime.ts, the default) or
 * @tensorflow/tfjs-tflite (an alpha package: tflite-runtime.ts). Plain typed arrays in and out, so
 * a runtime can be replaced without touching the jobs. Inference is asynchronous because LiteRT.js'
 * public API is.
 */

import { TFLITE_RUNTIMES, type RuntimeChoiceId, type RuntimeId, type TfliteIo } from '../choices/deploy';

/** The runtimes the studio ships (choices/deploy.ts). */
export type { RuntimeChoiceId, RuntimeId };

/**
 * The runtime that runs a run's files: the one asked for, else the table's default (`measured`:
 * the tflite step times both and picks), except that an int8 file with int8 I/O always goes to
 * tfjs-tflite, because LiteRT.js' JS tensors are float32, int32 or uint8 only (so there is nothing
 * to measure against). All files of a run go to the same runtime, so the int8 speed-up is always a
 * ratio on one runtime.
 */
export function runtimeForFiles(io: TfliteIo | undefined, requested?: RuntimeChoiceId): RuntimeChoiceId {
  if (io === 'int8' && !(requested && TFLITE_RUNTIMES.get(requested).int8Io)) return TFLITE_RUNTIMES.options.find((r) => r.int8Io)!.id;
  return requested ?? TFLITE_RUNTIMES.defaultId;
}

/** The tensor types both runtimes report by these names; anything else is 'other'. */
const KNOWN_DATA_TYPES = ['float32', 'int8', 'uint8', 'int16', 'int32'] as const;
export type RuntimeDataType = (typeof KNOWN_DATA_TYPES)[number] | 'other';

/** A runtime's name for a tensor type (LiteRT.js' dtype, tfjs-tflite's dataType), as ours. */
export function runtimeDataType(t: string): RuntimeDataType {
  return KNOWN_DATA_TYPES.find((k) => k === t) ?? 'other';
}

export interface RuntimeTensorInfo {
  /** With the batch axis, e.g. [1, 28, 28, 1]. */
  shape: number[];
  type: RuntimeDataType;
}

export interface LoadedModel {
  readonly input: RuntimeTensorInfo;
  readonly output: RuntimeTensorInfo;
  /**
   * Runs one inference. `x` must match the input's type (Float32Array for float32, Int8Array for
   * int8) and `shape` the input's shape. Returns a copy of the output as float32 values: raw int8
   * values for an int8 output (the caller dequantizes if it needs real values).
   */
  predict(x: Float32Array | Int8Array, shape: number[]): Promise<Float32Array>;
  /** Runs one inference without reading the output (timing a single op, whose output copy would be most of the time). */
  run?(x: Float32Array | Int8Array, shape: number[]): Promise<void>;
  /**
   * Per-op times of the runs since the model was loaded, where it was loaded with `profile`
   * (undefined otherwise, or where the runtime has no profiler).
   */
  profile?(): OpTime[] | undefined;
  /** Frees the model's interpreter and its memory; the model cannot be used afterwards. */
  dispose(): void;
}

/** One operator execution as the runtime's profiler records it. */
export interface OpTime {
  /** The runtime's name for the op type, e.g. "CONV_2D", or "TfLiteXNNPackDelegate" for ops a delegate took over. */
  op: string;
  /** The runtime's name for the node (TFLite: the delegate's kernel, e.g. "Convolution (NHWC, QS8) IGEMM"). */
  node: string;
  ms: number;
}

export interface LoadOptions {
  /** Turn the runtime's per-op profiler on (it costs time: do not time runs of such a model). */
  profile?: boolean;
}

export interface RuntimeInfo {
  id?: RuntimeId;
  /** e.g. "TFLite (wasm, XNNPACK) via @tensorflow/tfjs-tflite 0.0.1-alpha.10". */
  name: string;
  threads: number;
  simd: boolean;
  multiThreading: boolean;
}

export interface ModelRuntime {
  info(): Promise<RuntimeInfo>;
  load(bytes: Uint8Array, opts?: LoadOptions): Promise<LoadedModel>;
}
