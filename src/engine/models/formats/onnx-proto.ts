/**
 * The part of onnx.proto the studio reads (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto), decoded with protobufjs' wire-format Reader (protobufjs/minimal:
 * no code generation, so it runs under the studio's Content-Security-Policy, which forbids eval).
 * Field numbers are onnx.proto's (github.com/onnx/onnx, onnx/onnx.proto); unknown fields are
 * skipped by wire type, as protobuf requires. The Reader checks every length against the buffer,
 * so a wrong length fails with a RangeError, which `decodeModel` names.
 */
import { Reader } from 'protobufjs/minimal.js';
import { StudioError } from '../../errors';

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** raw_data, or float_data / int64_data / int32_data / double_data as given. */
  raw?: Uint8Array;
  floats?: number[];
  ints?: number[];
  external: boolean;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats: number[];
  ints: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** Dimension values; a symbolic or unknown dimension is -1. Undefined when no shape is given. */
  shape?: number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  producer: string;
  opsets: Array<{ domain: string; version: number }>;
  graph: OnnxGraph;
}

/** TensorProto.DataType values the studio reads. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11 } as const;

/** int64 varints as numbers: protobufjs gives a number without long.js, a Long with it. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

function packedOrOne(r: Reader, wireType: number, out: number[], read: () => number): void {
  if (wireType === 2) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) out.push(read());
  } else out.push(read());
}

function decodeTensor(r: Reader, end: number): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, external: false };
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        packedOrOne(r, wt, t.dims, () => num(r.int64()));
        break;
      case 2:
        t.dataType = r.int32();
        break;
      case 4:
        t.floats ??= [];
        packedOrOne(r, wt, t.floats, () => r.float());
        break;
      case 5:
        t.ints ??= [];
        packedOrOne(r, wt, t.ints, () => r.int32());
        break;
      case 7:
        t.ints ??= [];
        packedOrOne(r, wt, t.ints, () => num(r.int64()));
        break;
      case 8:
        t.name = r.string();
        break;
      case 9:
        t.raw = r.bytes();
        break;
      case 10:
        t.floats ??= [];
        packedOrOne(r, wt, t.floats, () => r.double());
        break;
      case 13:
        r.skipType(wt);
        t.external = true;
        break;
      case 14:
        if (r.int32() === 1) t.external = true;
        break;
      default:
        r.skipType(wt);
    }
  }
  return t;
}

function decodeAttribute(r: Reader, end: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', floats: [], ints: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        a.name = r.string();
        break;
      case 2:
        a.f = r.float();
        break;
      case 3:
        a.i = num(r.int64());
        break;
      case 4:
        a.s = new TextDecoder().decode(r.bytes());
        break;
      case 5: {
        const len = r.uint32();
        a.t = decodeTensor(r, r.pos + len);
        break;
      }
      case 7:
        packedOrOne(r, wt, a.floats, () => r.float());
        break;
      case 8:
        packedOrOne(r, wt, a.ints, () => num(r.int64()));
        break;
      default:
        r.skipType(wt);
    }
  }
  return a;
}

function decodeNode(r: Reader, end: number): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        n.inputs.push(r.string());
        break;
      case 2:
        n.outputs.push(r.string());
        break;
      case 3:
        n.name = r.string();
        break;
      case 4:
        n.opType = r.string();
        break;
      case 5: {
        const len = r.uint32();
        const a = decodeAttribute(r, r.pos + len);
        n.attributes.set(a.name, a);
        break;
      }
      case 7:
        n.domain = r.string();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return n;
}

/** TypeProto.tensor_type (field 1): elem_type (1) and shape (2) of dims (1): dim_value (1) | dim_param (2). */
function decodeValueInfo(r: Reader, end: number): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0 };
  const sub = (fn: (tag: number) => void, stop: number) => {
    while (r.pos < stop) fn(r.uint32());
  };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) v.name = r.string();
    else if (tag >>> 3 === 2) {
      const typeEnd = r.uint32() + r.pos;
      sub((t) => {
        if (t >>> 3 !== 1) return r.skipType(t & 7);
        const ttEnd = r.uint32() + r.pos;
        sub((u) => {
          if (u >>> 3 === 1) v.elemType = r.int32();
          else if (u >>> 3 === 2) {
            v.shape = [];
            const shapeEnd = r.uint32() + r.pos;
            sub((d) => {
              if (d >>> 3 !== 1) return r.skipType(d & 7);
              const dimEnd = r.uint32() + r.pos;
              let value = -1;
              sub((x) => {
                if (x >>> 3 === 1) value = num(r.int64());
                else r.skipType(x & 7);
              }, dimEnd);
              v.shape!.push(value);
            }, shapeEnd);
          } else r.skipType(u & 7);
        }, ttEnd);
      }, typeEnd);
    } else r.skipType(tag & 7);
  }
  return v;
}

function decodeGraph(r: Reader, end: number): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 2) {
      g.name = r.string();
      continue;
    }
    if (![1, 5, 11, 12].includes(field)) {
      r.skipType(tag & 7);
      continue;
    }
    const len = r.uint32();
    const stop = r.pos + len;
    if (field === 1) g.nodes.push(decodeNode(r, stop));
    else if (field === 5) g.initializers.push(decodeTensor(r, stop));
    else if (field === 11) g.inputs.push(decodeValueInfo(r, stop));
    else g.outputs.push(decodeValueInfo(r, stop));
    if (r.pos !== stop) throw new RangeError(`a field ends at byte ${r.pos}, not at ${stop} as its length says`);
  }
  return g;
}

/** Decodes a ModelProto; any structural error is a StudioError naming the file. */
export function decodeModel(bytes: Uint8Array, fileName: string): OnnxModel {
  const r = new Reader(bytes);
  const m: OnnxModel = { irVersion: 0, producer: '', opsets: [], graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] } };
  let sawGraph = false;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      switch (tag >>> 3) {
        case 1:
          m.irVersion = num(r.int64());
          break;
        case 2:
          m.producer = r.string();
          break;
        case 7: {
          const len = r.uint32();
          m.graph = decodeGraph(r, r.pos + len);
          sawGraph = true;
          break;
        }
        case 8: {
          const end = r.uint32() + r.pos;
          const o = { domain: '', version: 0 };
          while (r.pos < end) {
            const t = r.uint32();
            if (t >>> 3 === 1) o.domain = r.string();
            else if (t >>> 3 === 2) o.version = num(r.int64());
            else r.skipType(t & 7);
          }
          m.opsets.push(o);
          break;
        }
        default:
          r.skipType(tag & 7);
      }
    }
  } catch (e) {
    throw new StudioError('bad-model', `${fileName}: the ONNX protobuf is malformed at byte ${r.pos} of ${bytes.length} (${(e as Error).message}); the file is truncated or not ONNX.`, { fileName, found: r.pos });
  }
  if (!sawGraph) throw new StudioError('bad-model', `${fileName}: no graph in this ONNX file (ModelProto field 7 is missing).`, { fileName });
  return m;
}
