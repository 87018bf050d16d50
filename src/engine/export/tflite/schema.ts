/**
 * The slice of the TFLite FlatBuffer schema (schema version 3, file identifier "TFL3") that the
 * studio writes and reads: enum values and table field ids, checked by hand against
 * tensorflow/lite/schema/schema.fbs (tensorflow/tensorflow and tensorflow/tflite-micro). New
 * schema members are only ever appended there, so these values are stable.
 *
 * Field ids are the 0-based declaration order of a table's fields; a union field takes two ids,
 * `<name>_type` (a ubyte) and then `<name>` (the offset). The builder's vtable slot for field id i
 * is i; a reader finds it at vtable offset 4 + 2 * i.
 */

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;

/** enum TensorType : byte */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;
export type TensorTypeCode = (typeof TensorType)[keyof typeof TensorType];

/** enum BuiltinOperator : int32 (values below 127 are also written to deprecated_builtin_code). */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  QUANTIZE: 114,
} as const;
export type BuiltinOperatorCode = (typeof BuiltinOperator)[keyof typeof BuiltinOperator];

export const BUILTIN_OPERATOR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(BuiltinOperator).map(([k, v]) => [v, k]));

/** union BuiltinOptions: the type tag is the member's 1-based position in the union (0 = NONE). */
export const BuiltinOptions = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  PadOptions: 22,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
} as const;
export type BuiltinOptionsCode = (typeof BuiltinOptions)[keyof typeof BuiltinOptions];

/** enum Padding : byte { SAME, VALID } */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** enum ActivationFunctionType : byte */
export const ActivationFunctionType = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** Table field ids (declaration order). */
export const Field = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata_buffer: 5 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, details_type: 4, details: 5, quantized_dimension: 6 },
  /** data:[ubyte] (force_align: 16) */
  Buffer: { data: 0 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  Conv2DOptions: { padding: 0, stride_w: 1, stride_h: 2, fused_activation_function: 3, dilation_w_factor: 4, dilation_h_factor: 5 },
  DepthwiseConv2DOptions: { padding: 0, stride_w: 1, stride_h: 2, depth_multiplier: 3, fused_activation_function: 4, dilation_w_factor: 5, dilation_h_factor: 6 },
  Pool2DOptions: { padding: 0, stride_w: 1, stride_h: 2, filter_width: 3, filter_height: 4, fused_activation_function: 5 },
  FullyConnectedOptions: { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2 },
  SoftmaxOptions: { beta: 0 },
  AddOptions: { fused_activation_function: 0 },
  ReshapeOptions: { new_shape: 0 },
  ReducerOptions: { keep_dims: 0 },
} as const;
