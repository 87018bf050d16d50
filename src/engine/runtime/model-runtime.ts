/**
 * The seam between the engine and an inference runtime that executes exported model files (today
 * TFLite compiled to wasm, through @tensorflow/tfjs-tflite, an alpha package: tflite-runtime.ts).
 * Plain typed arrays in and out, so the runtime can be replaced without touching the jobs.
 */

export type RuntimeDataType = 'float32' | 'int8' | 'uint8' | 'int16' | 'int32' | 'other';

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
  predict(x: Float32Array | Int8Array, shape: number[]): Float32Array;
  /** Frees the model's interpreter and its memory; the model cannot be used afterwards. */
  dispose(): void;
}

export interface RuntimeInfo {
  /** e.g. "TFLite (wasm, XNNPACK) via @tensorflow/tfjs-tflite 0.0.1-alpha.10". */
  name: string;
  threads: number;
  simd: boolean;
  multiThreading: boolean;
}

export interface ModelRuntime {
  info(): Promise<RuntimeInfo>;
  load(bytes: Uint8Array): Promise<LoadedModel>;
}
