/**
 * A TFLite model as plain data: what the writer serialises and the reader returns. Tensor and
 * buffer indices are positions in their arrays; buffer 0 is the empty sentinel every tensor without
 * constant data points to.
 */
import type { BuiltinOperatorCode, TensorTypeCode } from './schema';

/** Per-tensor (one scale) or per-axis quantization: real = scale[c] * (q - zeroPoint[c]). */
export interface TensorQuantization {
  scale: number[];
  zeroPoint: number[];
  /** The axis the scales run along (0 for conv OHWI and fully-connected, 3 for depthwise). */
  quantizedDimension: number;
}

export interface TfliteTensor {
  name: string;
  /** With the batch axis: NHWC [n,h,w,c] for images, [n,features] after flatten or mean. */
  shape: number[];
  type: TensorTypeCode;
  /** Index into the model's buffers; 0 for activations. */
  buffer: number;
  quantization?: TensorQuantization;
}

export type FusedActivationName = 'linear' | 'relu' | 'relu6';

export type OperatorOptions =
  | { kind: 'conv2d'; padding: 'same' | 'valid'; strideH: number; strideW: number; activation: FusedActivationName }
  | { kind: 'depthwise'; padding: 'same' | 'valid'; strideH: number; strideW: number; depthMultiplier: number; activation: FusedActivationName }
  | { kind: 'pool'; padding: 'same' | 'valid'; strideH: number; strideW: number; filterH: number; filterW: number; activation: FusedActivationName }
  | { kind: 'fully-connected'; activation: FusedActivationName }
  | { kind: 'add'; activation: FusedActivationName }
  | { kind: 'softmax'; beta: number }
  | { kind: 'reshape'; newShape: number[] }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'quantize' }
  | { kind: 'dequantize' };

export interface TfliteOperator {
  op: BuiltinOperatorCode;
  /** Operator version as TFLite's op_version.cc assigns it for these tensor types. */
  version: number;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
}

export interface TfliteModel {
  description: string;
  subgraphName: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
  /** buffers[0] must be empty. */
  buffers: Uint8Array[];
}
