/**
 * A small .tflite reader over the flatbuffers ByteBuffer API, written by hand from the field ids in
 * schema.ts: enough to check what the writer produced and to plan a tensor arena over any
 * single-subgraph model (mcu-fit.ts). It reads the tables the studio writes and skips the rest.
 */
import { ByteBuffer } from 'flatbuffers';
import { StudioError } from '../../errors';
import { BuiltinOptions, Field, FILE_IDENTIFIER, TFLITE_OPERATOR_NAMES } from './schema';

export interface ParsedQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface ParsedTensor {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quantization?: ParsedQuantization;
}

export interface ParsedOperator {
  opcodeIndex: number;
  /** Builtin operator code (from the operator-code table) and its name. */
  op: number;
  opName: string;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  /** The options table's fields that the studio writes, by schema field name. */
  options: Record<string, number | number[]>;
}

export interface ParsedBuffer {
  /** Byte offset of the data in the file (0 when empty), and its length. */
  offset: number;
  length: number;
  data: Uint8Array;
}

export interface ParsedModel {
  identifier: string;
  version: number;
  description: string;
  operatorCodes: Array<{ deprecatedBuiltinCode: number; builtinCode: number; version: number }>;
  subgraphs: Array<{ name: string; tensors: ParsedTensor[]; inputs: number[]; outputs: number[]; operators: ParsedOperator[] }>;
  buffers: ParsedBuffer[];
}

/** A table at position `pos`: field readers by field id. */
class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {}
  private at(id: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * id);
  }
  has(id: number): boolean {
    return this.at(id) !== 0;
  }
  int8(id: number, dflt = 0): number {
    const o = this.at(id);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }
  uint8(id: number, dflt = 0): number {
    const o = this.at(id);
    return o ? this.bb.readUint8(this.pos + o) : dflt;
  }
  int32(id: number, dflt = 0): number {
    const o = this.at(id);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }
  uint32(id: number, dflt = 0): number {
    const o = this.at(id);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }
  float32(id: number, dflt = 0): number {
    const o = this.at(id);
    return o ? this.bb.readFloat32(this.pos + o) : dflt;
  }
  string(id: number): string {
    const o = this.at(id);
    return o ? (this.bb.__string(this.pos + o) as string) : '';
  }
  table(id: number): Table | undefined {
    const o = this.at(id);
    return o ? new Table(this.bb, this.bb.__indirect(this.pos + o)) : undefined;
  }
  /**
   * [start of the vector's data, length] or undefined. A vector that would end past the buffer
   * (a truncated or damaged file) throws, so a garbage length never becomes a huge allocation.
   */
  vector(id: number, elementBytes = 1): [number, number] | undefined {
    const o = this.at(id);
    if (!o) return undefined;
    const start = this.bb.__vector(this.pos + o);
    const len = this.bb.__vector_len(this.pos + o);
    if (!(start >= 0 && len >= 0 && start + len * elementBytes <= this.bb.capacity())) throw new RangeError(`a vector of ${len} elements at byte ${start} runs past the end of the ${this.bb.capacity()}-byte file`);
    return [start, len];
  }
  ints(id: number): number[] {
    const v = this.vector(id, 4);
    return v ? Array.from({ length: v[1] }, (_, i) => this.bb.readInt32(v[0] + 4 * i)) : [];
  }
  floats(id: number): number[] {
    const v = this.vector(id, 4);
    return v ? Array.from({ length: v[1] }, (_, i) => this.bb.readFloat32(v[0] + 4 * i)) : [];
  }
  longs(id: number): number[] {
    const v = this.vector(id, 8);
    return v ? Array.from({ length: v[1] }, (_, i) => Number(this.bb.readInt64(v[0] + 8 * i))) : [];
  }
  tables(id: number): Table[] {
    const v = this.vector(id, 4);
    return v ? Array.from({ length: v[1] }, (_, i) => new Table(this.bb, this.bb.__indirect(v[0] + 4 * i))) : [];
  }
}

/** The options fields the studio writes, per union member: [field name, field id, reader]. */
type Kind = 'i8' | 'i32' | 'f32' | 'ivec';
const OPTION_FIELDS: Record<number, Array<[string, number, Kind, number?]>> = {
  [BuiltinOptions.Conv2DOptions]: [
    ['padding', 0, 'i8'],
    ['stride_w', 1, 'i32'],
    ['stride_h', 2, 'i32'],
    ['fused_activation_function', 3, 'i8'],
    ['dilation_w_factor', 4, 'i32', 1],
    ['dilation_h_factor', 5, 'i32', 1],
  ],
  [BuiltinOptions.DepthwiseConv2DOptions]: [
    ['padding', 0, 'i8'],
    ['stride_w', 1, 'i32'],
    ['stride_h', 2, 'i32'],
    ['depth_multiplier', 3, 'i32'],
    ['fused_activation_function', 4, 'i8'],
    ['dilation_w_factor', 5, 'i32', 1],
    ['dilation_h_factor', 6, 'i32', 1],
  ],
  [BuiltinOptions.Pool2DOptions]: [
    ['padding', 0, 'i8'],
    ['stride_w', 1, 'i32'],
    ['stride_h', 2, 'i32'],
    ['filter_width', 3, 'i32'],
    ['filter_height', 4, 'i32'],
    ['fused_activation_function', 5, 'i8'],
  ],
  [BuiltinOptions.FullyConnectedOptions]: [
    ['fused_activation_function', 0, 'i8'],
    ['weights_format', 1, 'i8'],
    ['keep_num_dims', 2, 'i8'],
  ],
  [BuiltinOptions.AddOptions]: [['fused_activation_function', 0, 'i8']],
  [BuiltinOptions.SoftmaxOptions]: [['beta', 0, 'f32']],
  [BuiltinOptions.ReshapeOptions]: [['new_shape', 0, 'ivec']],
  [BuiltinOptions.ReducerOptions]: [['keep_dims', 0, 'i8']],
};

function readOptions(t: Table | undefined, type: number): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  if (!t) return out;
  for (const [name, id, kind, dflt] of OPTION_FIELDS[type] ?? []) {
    out[name] = kind === 'i8' ? t.int8(id, dflt) : kind === 'i32' ? t.int32(id, dflt) : kind === 'f32' ? t.float32(id, dflt) : t.ints(id);
  }
  return out;
}

/** Whether the bytes carry the TFLite file identifier (cheap; see parseTflite for the rest). */
export function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === FILE_IDENTIFIER;
}

export function parseTflite(bytes: Uint8Array, fileName = 'model.tflite'): ParsedModel {
  if (!isTflite(bytes)) {
    const found = bytes.length >= 8 ? JSON.stringify(String.fromCharCode(...bytes.subarray(4, 8))) : `${bytes.length} bytes`;
    throw new StudioError('bad-magic', `${fileName} is not a TFLite model: expected the file identifier "${FILE_IDENTIFIER}" at byte 4, found ${found}.`, { fileName });
  }
  const bb = new ByteBuffer(bytes);
  const model = new Table(bb, bb.readInt32(bb.position()) + bb.position());
  const M = Field.Model;
  const operatorCodes = model.tables(M.operator_codes).map((c) => ({
    deprecatedBuiltinCode: c.int8(Field.OperatorCode.deprecated_builtin_code),
    builtinCode: c.int32(Field.OperatorCode.builtin_code),
    version: c.int32(Field.OperatorCode.version, 1),
  }));
  // A custom operator is named by its custom_code (e.g. "TFLite_Detection_PostProcess").
  const customCodes = model.tables(M.operator_codes).map((c) => c.string(Field.OperatorCode.custom_code));
  const codeOf = (i: number) => Math.max(operatorCodes[i].builtinCode, operatorCodes[i].deprecatedBuiltinCode);
  const subgraphs = model.tables(M.subgraphs).map((s) => ({
    name: s.string(Field.SubGraph.name),
    tensors: s.tables(Field.SubGraph.tensors).map((t): ParsedTensor => {
      const q = t.table(Field.Tensor.quantization);
      const F = Field.QuantizationParameters;
      return {
        name: t.string(Field.Tensor.name),
        shape: t.ints(Field.Tensor.shape),
        type: t.int8(Field.Tensor.type),
        buffer: t.uint32(Field.Tensor.buffer),
        quantization: q && q.has(F.scale) ? { scale: q.floats(F.scale), zeroPoint: q.longs(F.zero_point), quantizedDimension: q.int32(F.quantized_dimension) } : undefined,
      };
    }),
    inputs: s.ints(Field.SubGraph.inputs),
    outputs: s.ints(Field.SubGraph.outputs),
    operators: s.tables(Field.SubGraph.operators).map((o): ParsedOperator => {
      const opcodeIndex = o.uint32(Field.Operator.opcode_index);
      const optionsType = o.uint8(Field.Operator.builtin_options_type);
      const op = codeOf(opcodeIndex);
      return {
        opcodeIndex,
        op,
        opName: TFLITE_OPERATOR_NAMES[op] === 'CUSTOM' && customCodes[opcodeIndex] ? `CUSTOM "${customCodes[opcodeIndex].slice(0, 60)}"` : (TFLITE_OPERATOR_NAMES[op] ?? `BUILTIN_${op}`),
        inputs: o.ints(Field.Operator.inputs),
        outputs: o.ints(Field.Operator.outputs),
        optionsType,
        options: readOptions(o.table(Field.Operator.builtin_options), optionsType),
      };
    }),
  }));
  const buffers = model.tables(M.buffers).map((b): ParsedBuffer => {
    const v = b.vector(Field.Buffer.data);
    return v ? { offset: v[0], length: v[1], data: bytes.subarray(v[0], v[0] + v[1]) } : { offset: 0, length: 0, data: new Uint8Array(0) };
  });
  return { identifier: FILE_IDENTIFIER, version: model.uint32(M.version), description: model.string(M.description), operatorCodes, subgraphs, buffers };
}
