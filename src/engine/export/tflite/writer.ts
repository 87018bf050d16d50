/**
 * Serialises a TfliteModel (model.ts) to a .tflite FlatBuffer, schema version 3, with the
 * `flatbuffers` runtime's Builder. The builder calls are written by hand from the field ids in
 * schema.ts (no generated code).
 *
 * FlatBuffers are built back to front, children before parents. Constant buffers are written first
 * with their data 16-byte aligned (the schema's force_align: 16 on Buffer.data); the builder pads
 * the finished file to a multiple of its largest alignment, so the data of every buffer is 16-byte
 * aligned from the start of the file, which lets a C array of the file be used in place.
 */
import { Builder } from 'flatbuffers';
import { StudioError } from '../../errors';
import type { OperatorOptions, TfliteModel, TfliteTensor } from './model';
import { ActivationFunctionType, BuiltinOptions, Field, FILE_IDENTIFIER, Padding, SCHEMA_VERSION, TFLITE_OPERATOR_NAMES } from './schema';

const ACTIVATION = { linear: ActivationFunctionType.NONE, relu: ActivationFunctionType.RELU, relu6: ActivationFunctionType.RELU6 } as const;
const PADDING = { same: Padding.SAME, valid: Padding.VALID } as const;

function intVector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
  return b.endVector();
}

function floatVector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]);
  return b.endVector();
}

function longVector(b: Builder, v: ArrayLike<number>): number {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** A [ubyte] vector whose first byte lands on a 16-byte boundary. */
function alignedBytes(b: Builder, data: Uint8Array): number {
  b.prep(16, data.length);
  return b.createByteVector(data);
}

function writeBuffer(b: Builder, data: Uint8Array): number {
  const dataOffset = data.length > 0 ? alignedBytes(b, data) : 0;
  b.startObject(1);
  if (dataOffset) b.addFieldOffset(Field.Buffer.data, dataOffset, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TfliteTensor): number {
  const shape = intVector(b, t.shape);
  const name = b.createString(t.name);
  let quant = 0;
  if (t.quantization) {
    const q = t.quantization;
    const scale = floatVector(b, q.scale);
    const zeroPoint = longVector(b, q.zeroPoint);
    b.startObject(7);
    b.addFieldOffset(Field.QuantizationParameters.scale, scale, 0);
    b.addFieldOffset(Field.QuantizationParameters.zero_point, zeroPoint, 0);
    b.addFieldInt32(Field.QuantizationParameters.quantized_dimension, q.quantizedDimension, 0);
    quant = b.endObject();
  }
  b.startObject(6);
  b.addFieldOffset(Field.Tensor.shape, shape, 0);
  b.addFieldInt8(Field.Tensor.type, t.type, 0);
  b.addFieldInt32(Field.Tensor.buffer, t.buffer, 0);
  b.addFieldOffset(Field.Tensor.name, name, 0);
  if (quant) b.addFieldOffset(Field.Tensor.quantization, quant, 0);
  return b.endObject();
}

/** Writes an options table; returns [union type tag, offset]. */
function writeOptions(b: Builder, o: OperatorOptions | undefined): [number, number] {
  if (!o) return [BuiltinOptions.NONE, 0];
  switch (o.kind) {
    case 'conv2d': {
      const F = Field.Conv2DOptions;
      b.startObject(6);
      b.addFieldInt8(F.padding, PADDING[o.padding], 0);
      b.addFieldInt32(F.stride_w, o.strideW, 0);
      b.addFieldInt32(F.stride_h, o.strideH, 0);
      b.addFieldInt8(F.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt32(F.dilation_w_factor, 1, 1);
      b.addFieldInt32(F.dilation_h_factor, 1, 1);
      return [BuiltinOptions.Conv2DOptions, b.endObject()];
    }
    case 'depthwise': {
      const F = Field.DepthwiseConv2DOptions;
      b.startObject(7);
      b.addFieldInt8(F.padding, PADDING[o.padding], 0);
      b.addFieldInt32(F.stride_w, o.strideW, 0);
      b.addFieldInt32(F.stride_h, o.strideH, 0);
      b.addFieldInt32(F.depth_multiplier, o.depthMultiplier, 0);
      b.addFieldInt8(F.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt32(F.dilation_w_factor, 1, 1);
      b.addFieldInt32(F.dilation_h_factor, 1, 1);
      return [BuiltinOptions.DepthwiseConv2DOptions, b.endObject()];
    }
    case 'pool': {
      const F = Field.Pool2DOptions;
      b.startObject(6);
      b.addFieldInt8(F.padding, PADDING[o.padding], 0);
      b.addFieldInt32(F.stride_w, o.strideW, 0);
      b.addFieldInt32(F.stride_h, o.strideH, 0);
      b.addFieldInt32(F.filter_width, o.filterW, 0);
      b.addFieldInt32(F.filter_height, o.filterH, 0);
      b.addFieldInt8(F.fused_activation_function, ACTIVATION[o.activation], 0);
      return [BuiltinOptions.Pool2DOptions, b.endObject()];
    }
    case 'fully-connected': {
      const F = Field.FullyConnectedOptions;
      b.startObject(3);
      b.addFieldInt8(F.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt8(F.weights_format, 0, 0); // DEFAULT
      b.addFieldInt8(F.keep_num_dims, 0, 0); // false
      return [BuiltinOptions.FullyConnectedOptions, b.endObject()];
    }
    case 'add':
      b.startObject(1);
      b.addFieldInt8(Field.AddOptions.fused_activation_function, ACTIVATION[o.activation], 0);
      return [BuiltinOptions.AddOptions, b.endObject()];
    case 'softmax':
      b.startObject(1);
      b.addFieldFloat32(Field.SoftmaxOptions.beta, o.beta, 0);
      return [BuiltinOptions.SoftmaxOptions, b.endObject()];
    case 'reshape': {
      const shape = intVector(b, o.newShape);
      b.startObject(1);
      b.addFieldOffset(Field.ReshapeOptions.new_shape, shape, 0);
      return [BuiltinOptions.ReshapeOptions, b.endObject()];
    }
    case 'reducer':
      b.startObject(1);
      b.addFieldInt8(Field.ReducerOptions.keep_dims, o.keepDims ? 1 : 0, 0);
      return [BuiltinOptions.ReducerOptions, b.endObject()];
    case 'quantize':
      b.startObject(0);
      return [BuiltinOptions.QuantizeOptions, b.endObject()];
    case 'dequantize':
      b.startObject(0);
      return [BuiltinOptions.DequantizeOptions, b.endObject()];
  }
}

function check(m: TfliteModel): void {
  const bad = (msg: string, context: Record<string, unknown>) => new StudioError('internal', `TFLite writer: ${msg}`, context, 'bug');
  if (m.buffers.length === 0 || m.buffers[0].length !== 0) throw bad('buffer 0 must be the empty sentinel buffer', {});
  m.tensors.forEach((t, i) => {
    if (t.buffer < 0 || t.buffer >= m.buffers.length) throw bad(`tensor ${i} ("${t.name}") points to buffer ${t.buffer} of ${m.buffers.length}`, { tensor: t.name });
  });
  for (const op of m.operators) {
    // Any TFLite builtin without options can be written (tests write operators the importer refuses).
    if (!Number.isInteger(op.op) || TFLITE_OPERATOR_NAMES[op.op] === undefined) throw bad(`unknown builtin operator ${op.op}`, { op: op.op });
    for (const i of [...op.inputs, ...op.outputs]) if (i !== -1 && (i < 0 || i >= m.tensors.length)) throw bad(`operator ${op.op} refers to tensor ${i} of ${m.tensors.length}`, { op: op.op });
  }
}

/** The operator-code table: one entry per distinct (operator, version), in order of first use. */
export function operatorCodes(m: TfliteModel): Array<{ op: number; version: number }> {
  const codes: Array<{ op: number; version: number }> = [];
  for (const o of m.operators) if (!codes.some((c) => c.op === o.op && c.version === o.version)) codes.push({ op: o.op, version: o.version });
  return codes;
}

export function writeTflite(m: TfliteModel): Uint8Array {
  check(m);
  const size = m.buffers.reduce((a, d) => a + d.length + 32, 4096) + m.tensors.length * 128;
  const b = new Builder(size);
  // Constant data first: it ends up at the back of the file, after the metadata.
  const buffers = m.buffers.map((d) => writeBuffer(b, d));
  const tensors = m.tensors.map((t) => writeTensor(b, t));
  const codes = operatorCodes(m);
  const operators = m.operators.map((o) => {
    const inputs = intVector(b, o.inputs);
    const outputs = intVector(b, o.outputs);
    const [optionsType, options] = writeOptions(b, o.options);
    b.startObject(5);
    b.addFieldInt32(
      Field.Operator.opcode_index,
      codes.findIndex((c) => c.op === o.op && c.version === o.version),
      -1,
    );
    b.addFieldOffset(Field.Operator.inputs, inputs, 0);
    b.addFieldOffset(Field.Operator.outputs, outputs, 0);
    b.addFieldInt8(Field.Operator.builtin_options_type, optionsType, -1);
    if (options) b.addFieldOffset(Field.Operator.builtin_options, options, 0);
    return b.endObject();
  });
  const opcodeTables = codes.map((c) => {
    b.startObject(4);
    // Codes below 127 go in both fields; readers take the larger of the two.
    b.addFieldInt8(Field.OperatorCode.deprecated_builtin_code, Math.min(c.op, 127), -1);
    b.addFieldInt32(Field.OperatorCode.version, c.version, 0);
    b.addFieldInt32(Field.OperatorCode.builtin_code, c.op, -1);
    return b.endObject();
  });
  const subgraphName = b.createString(m.subgraphName);
  const tensorsVec = offsetVector(b, tensors);
  const inputsVec = intVector(b, m.inputs);
  const outputsVec = intVector(b, m.outputs);
  const operatorsVec = offsetVector(b, operators);
  b.startObject(5);
  b.addFieldOffset(Field.SubGraph.tensors, tensorsVec, 0);
  b.addFieldOffset(Field.SubGraph.inputs, inputsVec, 0);
  b.addFieldOffset(Field.SubGraph.outputs, outputsVec, 0);
  b.addFieldOffset(Field.SubGraph.operators, operatorsVec, 0);
  b.addFieldOffset(Field.SubGraph.name, subgraphName, 0);
  const subgraph = b.endObject();

  const codesVec = offsetVector(b, opcodeTables);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const description = b.createString(m.description);
  const buffersVec = offsetVector(b, buffers);
  b.startObject(5);
  b.addFieldInt32(Field.Model.version, SCHEMA_VERSION, -1);
  b.addFieldOffset(Field.Model.operator_codes, codesVec, 0);
  b.addFieldOffset(Field.Model.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(Field.Model.description, description, 0);
  b.addFieldOffset(Field.Model.buffers, buffersVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
