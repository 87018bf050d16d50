/**
 * A float32 .tflite (as the TensorFlow converter writes one without quantization, or with float16
 * weights behind DEQUANTIZE) -> the engine's Graph, read with the studio's own FlatBuffer reader
 * (export/tflite/reader.ts). TFLite is NHWC like the engine; weights are re-laid out to Keras':
 *   CONV_2D filter OHWI [O, kh, kw, I] -> [kh, kw, I, O]; DEPTHWISE_CONV_2D [1, kh, kw, I*m] is
 *   already Keras' [kh, kw, I, m] byte for byte; FULLY_CONNECTED [O, I] -> [I, O].
 * Fused activations (RELU, RELU6) stay fused; a PAD folds into the convolution it feeds when the
 * sum is TensorFlow's "same" (Keras' ZeroPadding2D + valid convolution, as in MobileNet); MEAN over
 * height and width is global average pooling; RESHAPE to [1, n] is Flatten (TFLite and Keras
 * both flatten HWC). A quantized model (int8 tensors, QUANTIZE) is refused by name: the studio
 * makes the int8 model itself, from a float one.
 */
import { StudioError } from '../../errors';
import type { Activation, Graph, GraphNode, Padding, WeightArray } from '../../graph/ir';
import { isTflite, parseTflite, type ParsedModel, type ParsedOperator, type ParsedTensor } from '../../export/tflite/reader';
import { ActivationFunctionType, BuiltinOperator, TensorType } from '../../export/tflite/schema';

const SUPPORTED = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'ADD', 'MEAN', 'RESHAPE', 'SOFTMAX', 'RELU', 'RELU6', 'PAD', 'DEQUANTIZE (float16 weights)'];
const MAX_OPERATORS = 5000;

type Val = { kind: 'node'; node: string; shape: number[]; pad?: [number, number, number, number] } | { kind: 'const'; shape: number[]; values: Float32Array };

function bad(file: string, message: string, context: Record<string, unknown> = {}): never {
  throw new StudioError('bad-model', `${file}: ${message}`, { fileName: file, ...context });
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function samePads(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convOut(size: number, k: number, s: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

function activationOf(file: string, where: string, code: number): Activation {
  if (code === ActivationFunctionType.NONE) return 'linear';
  if (code === ActivationFunctionType.RELU) return 'relu';
  if (code === ActivationFunctionType.RELU6) return 'relu6';
  return bad(file, `${where} has the fused activation ${code} (${Object.entries(ActivationFunctionType).find(([, v]) => v === code)?.[0] ?? 'unknown'}); the studio supports none, RELU and RELU6.`, { found: code });
}

function parse(bytes: Uint8Array, file: string): ParsedModel {
  try {
    return parseTflite(bytes, file);
  } catch (e) {
    if (e instanceof StudioError) throw e;
    return bad(file, `the TFLite FlatBuffer is malformed (${(e as Error).message}); the file is truncated or damaged.`);
  }
}

export function looksLikeTflite(bytes: Uint8Array): boolean {
  return isTflite(bytes);
}

/** The float .tflite as an engine Graph. */
export function graphFromTflite(bytes: Uint8Array, file: string): Graph {
  const m = parse(bytes, file);
  m.buffers.forEach((b, i) => {
    if (b.offset + b.length > bytes.length) bad(file, `buffer ${i} ends at byte ${b.offset + b.length}, past the end of the ${bytes.length}-byte file; the file is truncated.`, { found: bytes.length });
  });
  if (m.subgraphs.length !== 1) bad(file, `the model has ${m.subgraphs.length} subgraphs; the studio imports single-subgraph models.`, { found: m.subgraphs.length });
  const sg = m.subgraphs[0];
  if (sg.operators.length > MAX_OPERATORS) bad(file, `${sg.operators.length} operators; at most ${MAX_OPERATORS} are accepted.`);
  const tensor = (i: number, where: string): ParsedTensor => {
    const t = sg.tensors[i];
    if (!t) bad(file, `${where} refers to tensor ${i}, which does not exist (${sg.tensors.length} tensors).`, { found: i });
    return t;
  };
  const constValues = (t: ParsedTensor, where: string): Float32Array | undefined => {
    const b = m.buffers[t.buffer];
    if (!b || b.length === 0) return undefined;
    const n = t.shape.reduce((a, x) => a * x, 1);
    const per = t.type === TensorType.FLOAT32 || t.type === TensorType.INT32 ? 4 : t.type === TensorType.FLOAT16 ? 2 : t.type === TensorType.INT64 ? 8 : 0;
    if (t.type === TensorType.INT8 || t.type === TensorType.UINT8 || t.type === TensorType.INT16)
      bad(file, `${where}: the tensor "${t.name}" is quantized (${t.type === TensorType.UINT8 ? 'uint8' : 'int8'}); the studio imports float models and quantizes them itself. Convert the float model without optimizations.`, {
        tensor: t.name,
      });
    if (!per) bad(file, `${where}: the tensor "${t.name}" has type ${t.type}, which the studio does not read.`, { tensor: t.name });
    if (b.length !== n * per) bad(file, `${where}: the tensor "${t.name}" of shape [${t.shape.join(', ')}] needs ${n * per} bytes; its buffer holds ${b.length}.`, { tensor: t.name, expected: n * per, found: b.length });
    const v = new DataView(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++)
      out[k] = t.type === TensorType.FLOAT32 ? v.getFloat32(4 * k, true) : t.type === TensorType.FLOAT16 ? half(v.getUint16(2 * k, true)) : t.type === TensorType.INT32 ? v.getInt32(4 * k, true) : Number(v.getBigInt64(8 * k, true));
    return out;
  };

  if (sg.inputs.length !== 1 || sg.outputs.length !== 1) bad(file, `the studio needs one input and one output; this model has ${sg.inputs.length} and ${sg.outputs.length}.`);
  const it = tensor(sg.inputs[0], 'the input');
  if (it.type !== TensorType.FLOAT32 || it.shape.length !== 4 || it.shape.slice(1).some((d) => !(d > 0)))
    bad(
      file,
      `the input "${it.name}" must be a float32 image batch [1, H, W, C]; found type ${it.type} [${it.shape.join(', ')}]${it.type === TensorType.INT8 || it.type === TensorType.UINT8 ? ' (a quantized model: the studio imports float models and quantizes them itself)' : ''}.`,
      { found: it.shape },
    );
  const used = new Set<string>();
  const name = (raw: string, fallback: string): string => {
    let base =
      raw
        .replace(/[^A-Za-z0-9_.-]+/g, '_')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 120) || fallback;
    if (!/^[A-Za-z]/.test(base)) base = `n${base}`;
    let nm = base;
    for (let k = 1; used.has(nm); k++) nm = `${base}_${k}`;
    used.add(nm);
    return nm;
  };
  const nodes: GraphNode[] = [];
  const emit = (n: GraphNode) => nodes.push(n);
  const vals = new Map<number, Val>();
  const inName = name(it.name, 'input');
  emit({ op: 'input', name: inName, inputs: [], shape: [it.shape[1], it.shape[2], it.shape[3]] });
  vals.set(sg.inputs[0], { kind: 'node', node: inName, shape: [it.shape[1], it.shape[2], it.shape[3]] });

  sg.operators.forEach((op: ParsedOperator, index) => {
    const where = `operator ${index + 1} of ${sg.operators.length} (${op.opName}${op.outputs[0] !== undefined && sg.tensors[op.outputs[0]] ? `, output "${sg.tensors[op.outputs[0]].name}"` : ''})`;
    const get = (k: number): Val => {
      const ti = op.inputs[k];
      const known = vals.get(ti);
      if (known) return known;
      const t = tensor(ti, where);
      const values = constValues(t, where);
      if (!values) bad(file, `${where} reads the tensor "${t.name}", which no earlier operator produces (the graph is cyclic or out of order).`, { tensor: t.name });
      const c: Val = { kind: 'const', shape: t.shape, values };
      vals.set(ti, c);
      return c;
    };
    const act = (k: number): Extract<Val, { kind: 'node' }> => {
      const v = get(k);
      if (v.kind !== 'node') bad(file, `${where} takes a constant where the studio expects the output of another operator.`);
      if (v.pad && op.op !== BuiltinOperator.CONV_2D && op.op !== BuiltinOperator.DEPTHWISE_CONV_2D) bad(file, `${where} reads a PAD; a PAD is imported only when it feeds a convolution.`);
      return v;
    };
    const konst = (k: number, what: string): Extract<Val, { kind: 'const' }> => {
      const v = get(k);
      if (v.kind !== 'const') bad(file, `${where}: its ${what} must be a constant.`);
      return v;
    };
    const image = (v: Extract<Val, { kind: 'node' }>) => {
      if (v.shape.length !== 3) bad(file, `${where} needs an image [H, W, C]; it receives [${v.shape.join(', ')}].`);
      return v.shape as [number, number, number];
    };
    const o = op.options;
    const out = op.outputs[0];
    const outName = () => name(sg.tensors[out]?.name ?? '', `op_${index}`);
    const set = (v: Val) => vals.set(out, v);
    const padding = (x: [number, number, number], k: [number, number], st: [number, number], extra?: [number, number, number, number]): Padding => {
      const p: Padding = o.padding === 0 ? 'same' : 'valid';
      if (!extra) return p;
      const [h0, h1] = samePads(x[0], k[0], st[0]);
      const [w0, w1] = samePads(x[1], k[1], st[1]);
      if (p === 'valid' && extra[0] === h0 && extra[2] === h1 && extra[1] === w0 && extra[3] === w1) return 'same';
      if (p === 'valid' && extra.every((v) => v === 0)) return 'valid';
      return bad(file, `${where} is ${p} after a PAD of [top ${extra[0]}, left ${extra[1]}, bottom ${extra[2]}, right ${extra[3]}]; the studio supports a PAD only where it makes TensorFlow's "same" ([${h0}, ${w0}, ${h1}, ${w1}] here).`, {
        found: extra,
      });
    };
    switch (op.op) {
      case BuiltinOperator.CONV_2D:
      case BuiltinOperator.DEPTHWISE_CONV_2D: {
        const x = act(0);
        const [h, w, c] = image(x);
        const f = konst(1, 'filter');
        if (f.shape.length !== 4) bad(file, `${where} has a filter of shape [${f.shape.join(', ')}].`);
        if ((o.dilation_w_factor ?? 1) !== 1 || (o.dilation_h_factor ?? 1) !== 1) bad(file, `${where} is dilated; dilated convolutions are not supported.`);
        const st: [number, number] = [Number(o.stride_h), Number(o.stride_w)];
        if (!(st[0] >= 1 && st[1] >= 1)) bad(file, `${where} has strides ${st.join('x')}.`);
        const [a, kh, kw, d] = f.shape;
        const pad = padding([h, w, c], [kh, kw], st, x.pad);
        let kernel: WeightArray;
        let cout: number;
        if (op.op === BuiltinOperator.CONV_2D) {
          if (d !== c) bad(file, `${where} has a filter for ${d} input channels; its input has ${c}.`);
          cout = a;
          const k = new Float32Array(f.values.length);
          for (let oc = 0; oc < a; oc++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ci = 0; ci < c; ci++) k[((i * kw + j) * c + ci) * a + oc] = f.values[((oc * kh + i) * kw + j) * c + ci];
          kernel = { shape: [kh, kw, c, a], values: k };
        } else {
          if (a !== 1 || d % c !== 0) bad(file, `${where} has a filter of shape [${f.shape.join(', ')}] for ${c} input channels.`);
          cout = d;
          kernel = { shape: [kh, kw, c, d / c], values: f.values };
        }
        const b = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? konst(2, 'bias') : undefined;
        if (b && b.values.length !== cout) bad(file, `${where} has ${b.values.length} biases for ${cout} channels.`);
        const nm = outName();
        const common = { name: nm, inputs: [x.node], kernel, bias: b ? { shape: [cout], values: b.values } : undefined, strides: st, padding: pad, activation: activationOf(file, where, Number(o.fused_activation_function)) };
        emit(op.op === BuiltinOperator.CONV_2D ? { op: 'conv2d', ...common } : { op: 'depthwise', ...common });
        set({ kind: 'node', node: nm, shape: [convOut(h, kh, st[0], pad), convOut(w, kw, st[1], pad), cout] });
        return;
      }
      case BuiltinOperator.PAD: {
        const x = act(0);
        image(x);
        const p = Array.from(konst(1, 'paddings').values);
        if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) bad(file, `${where} pads [${p.join(', ')}]; only height and width can be padded.`, { found: p });
        const pads: [number, number, number, number] = [p[2], p[4], p[3], p[5]];
        set(pads.every((v) => v === 0) ? x : { ...x, pad: x.pad ? [x.pad[0] + pads[0], x.pad[1] + pads[1], x.pad[2] + pads[2], x.pad[3] + pads[3]] : pads });
        return;
      }
      case BuiltinOperator.FULLY_CONNECTED: {
        let x = act(0);
        if (x.shape.length !== 1) {
          // FULLY_CONNECTED flattens its input itself (HWC, as Keras' Flatten).
          const nm = name(`${sg.tensors[op.inputs[0]]?.name ?? 'x'}_flatten`, `flatten_${index}`);
          emit({ op: 'flatten', name: nm, inputs: [x.node] });
          x = { kind: 'node', node: nm, shape: [x.shape.reduce((a, b) => a * b, 1)] };
        }
        const wt = konst(1, 'weights');
        const [oN, iN] = wt.shape;
        if (wt.shape.length !== 2 || iN !== x.shape[0]) bad(file, `${where} has weights [${wt.shape.join(', ')}] for ${x.shape[0]} inputs.`);
        if (Number(o.weights_format ?? 0) !== 0) bad(file, `${where} stores its weights shuffled (weights_format ${o.weights_format}).`);
        const k = new Float32Array(iN * oN);
        for (let r = 0; r < oN; r++) for (let ci = 0; ci < iN; ci++) k[ci * oN + r] = wt.values[r * iN + ci];
        const b = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? konst(2, 'bias') : undefined;
        const nm = outName();
        emit({ op: 'dense', name: nm, inputs: [x.node], kernel: { shape: [iN, oN], values: k }, bias: b ? { shape: [oN], values: b.values } : undefined, activation: activationOf(file, where, Number(o.fused_activation_function)) });
        set({ kind: 'node', node: nm, shape: [oN] });
        return;
      }
      case BuiltinOperator.MAX_POOL_2D:
      case BuiltinOperator.AVERAGE_POOL_2D: {
        const x = act(0);
        const [h, w, c] = image(x);
        const k: [number, number] = [Number(o.filter_height), Number(o.filter_width)];
        const st: [number, number] = [Number(o.stride_h), Number(o.stride_w)];
        if (!(k[0] >= 1 && k[1] >= 1 && st[0] >= 1 && st[1] >= 1)) bad(file, `${where} has a ${k.join('x')} pool at stride ${st.join('x')}.`);
        const pad = padding([h, w, c], k, st);
        const nm = outName();
        emit({ op: op.op === BuiltinOperator.MAX_POOL_2D ? 'maxpool' : 'avgpool', name: nm, inputs: [x.node], pool: k, strides: st, padding: pad });
        let node = nm;
        const a = activationOf(file, where, Number(o.fused_activation_function));
        if (a !== 'linear') {
          node = name(`${nm}_${a}`, `act_${index}`);
          emit({ op: 'activation', name: node, inputs: [nm], activation: a });
        }
        set({ kind: 'node', node, shape: [convOut(h, k[0], st[0], pad), convOut(w, k[1], st[1], pad), c] });
        return;
      }
      case BuiltinOperator.ADD: {
        const x = act(0);
        const y = act(1);
        if (x.shape.join() !== y.shape.join()) bad(file, `${where} adds tensors of shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]; only same-shaped tensors are supported.`);
        const nm = outName();
        emit({ op: 'add', name: nm, inputs: [x.node, y.node], activation: activationOf(file, where, Number(o.fused_activation_function)) });
        set({ ...x, node: nm });
        return;
      }
      case BuiltinOperator.MEAN: {
        const x = act(0);
        const [, , c] = image(x);
        const axes = Array.from(konst(1, 'axes').values)
          .map((a) => (a < 0 ? a + 4 : a))
          .sort();
        if (axes.join() !== '1,2') bad(file, `${where} averages over axes [${axes.join(', ')}]; only the mean over height and width (global average pooling) is supported.`);
        if (Number(o.keep_dims)) bad(file, `${where} keeps the averaged dimensions; only the flat form is supported.`);
        const nm = outName();
        emit({ op: 'gap', name: nm, inputs: [x.node] });
        set({ kind: 'node', node: nm, shape: [c] });
        return;
      }
      case BuiltinOperator.RESHAPE: {
        const x = act(0);
        const total = x.shape.reduce((a, b) => a * b, 1);
        const target = op.inputs[1] !== undefined && op.inputs[1] >= 0 ? Array.from(konst(1, 'shape').values) : (o.new_shape as number[]);
        if (!(target.length === 2 && (target[1] === total || target[1] === -1))) bad(file, `${where} reshapes [${x.shape.join(', ')}] to [${target.join(', ')}]; only flattening to [1, ${total}] is supported.`, { found: target });
        if (x.shape.length === 1) return set(x);
        const nm = outName();
        emit({ op: 'flatten', name: nm, inputs: [x.node] });
        set({ kind: 'node', node: nm, shape: [total] });
        return;
      }
      case BuiltinOperator.SOFTMAX:
      case BuiltinOperator.RELU:
      case BuiltinOperator.RELU6: {
        const x = act(0);
        if (op.op === BuiltinOperator.SOFTMAX && (x.shape.length !== 1 || Number(o.beta ?? 1) !== 1)) bad(file, `${where} is a softmax with beta ${o.beta} over [${x.shape.join(', ')}]; only a plain softmax over class scores is supported.`);
        const nm = outName();
        emit({ op: 'activation', name: nm, inputs: [x.node], activation: op.op === BuiltinOperator.SOFTMAX ? 'softmax' : op.op === BuiltinOperator.RELU ? 'relu' : 'relu6' });
        set({ ...x, node: nm });
        return;
      }
      case BuiltinOperator.DEQUANTIZE: {
        const t = tensor(op.inputs[0], where);
        if (t.type !== TensorType.FLOAT16)
          bad(file, `${where} dequantizes the ${t.type === TensorType.INT8 ? 'int8' : `type-${t.type}`} tensor "${t.name}": this is a quantized model; the studio imports float models and quantizes them itself.`, { tensor: t.name });
        set(konst(0, 'float16 weights'));
        return;
      }
      case BuiltinOperator.QUANTIZE:
        bad(file, `${where}: this is a quantized model; the studio imports float models and quantizes them itself.`);
        return;
      default:
        bad(
          file,
          `${where}, reading ${op.inputs
            .filter((i) => i >= 0)
            .map((i) => `"${sg.tensors[i]?.name ?? i}"`)
            .join(', ')}: the studio cannot import this operator. It imports ${SUPPORTED.join(', ')}.`,
          { op: op.opName },
        );
    }
  });
  const o = vals.get(sg.outputs[0]);
  if (!o || o.kind !== 'node' || o.shape.length !== 1) bad(file, `the output "${sg.tensors[sg.outputs[0]]?.name}" must be a vector of class scores computed by the graph.`);
  return { name: name(sg.name || 'tflite', 'tflite'), nodes, output: o.node };
}
