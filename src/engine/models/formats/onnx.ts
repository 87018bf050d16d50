/**
 * ONNX (as torch.onnx.export writes it, opset 9 and later) -> the engine's Graph. ONNX images are
 * NCHW; the engine's are NHWC with Keras layouts (graph/ir.ts), so every weight is re-laid out:
 *   Conv W [M, C/g, kh, kw] -> [kh, kw, C, M] (g = 1) or depthwise [kh, kw, C, M/C] (g = C);
 *   Gemm B [N, K] (transB) or [K, N] -> Dense [K, N]; MatMul + Add(constant) -> Dense with bias;
 *   Flatten of a [C, H, W] map flattens CHW, the engine HWC, so the Dense that reads it has its
 *   input rows permuted (k_chw = c*H*W + h*W + w  ->  k_hwc = (h*W + w)*C + c).
 * Padding must be what TensorFlow calls valid or same (for the input size at hand), as the engine,
 * tfjs and TFLite know no other; a Pad node folds into the convolution it feeds. Clip(0, 6) is
 * ReLU6. BatchNormalization stays a node (folded later, as for Keras models). Anything else is
 * refused with the node's name, its operator and its position.
 */
import { StudioError } from '../../errors';
import type { Activation, Graph, GraphNode, Padding, WeightArray } from '../../graph/ir';
import { DataType, decodeModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto';

const SUPPORTED_OPS = [
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'BatchNormalization',
  'Relu',
  'Clip',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Pad',
  'Softmax',
  'Identity',
  'Dropout',
  'Constant',
  'Shape, Gather, Unsqueeze, Concat and Cast on shapes',
];
const MAX_NODES = 5000;

type Val = { kind: 'node'; node: string; shape: number[]; layout: 'image' | 'flat' | 'gap'; chw?: [number, number, number]; pad?: [number, number, number, number] } | { kind: 'const'; dims: number[]; values: Float32Array };

function bad(file: string, message: string, context: Record<string, unknown> = {}): never {
  throw new StudioError('bad-model', `${file}: ${message}`, { fileName: file, ...context });
}

/** Float16 bits -> number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A tensor's values as float32 (int64 shapes included); refuses external data and odd types. */
function tensorValues(file: string, t: OnnxTensor, what: string): Float32Array {
  if (t.external) bad(file, `${what} keeps its data in an external file; export the model with its weights inside (torch.onnx.export does for models under 2 GB).`, { tensor: t.name });
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.dims.some((d) => !(d >= 0)) || n > 256 * 1024 * 1024) bad(file, `${what} has implausible dimensions [${t.dims.join(', ')}].`, { tensor: t.name });
  let out: Float32Array;
  if (t.raw) {
    const bytesPer = t.dataType === DataType.FLOAT || t.dataType === DataType.INT32 ? 4 : t.dataType === DataType.FLOAT16 ? 2 : t.dataType === DataType.INT64 || t.dataType === DataType.DOUBLE ? 8 : 0;
    if (!bytesPer) bad(file, `${what} has data type ${t.dataType}; the studio reads float32, float16, float64, int32 and int64 tensors.`, { tensor: t.name });
    if (t.raw.length !== n * bytesPer) bad(file, `${what} holds ${t.raw.length} bytes; its dimensions [${t.dims.join(', ')}] need ${n * bytesPer}.`, { tensor: t.name, expected: n * bytesPer, found: t.raw.length });
    const v = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (t.dataType === DataType.FLOAT) out[i] = v.getFloat32(4 * i, true);
      else if (t.dataType === DataType.FLOAT16) out[i] = half(v.getUint16(2 * i, true));
      else if (t.dataType === DataType.INT32) out[i] = v.getInt32(4 * i, true);
      else if (t.dataType === DataType.DOUBLE) out[i] = v.getFloat64(8 * i, true);
      else out[i] = Number(v.getBigInt64(8 * i, true));
    }
  } else {
    const src = t.floats ?? t.ints ?? [];
    if (src.length !== n) bad(file, `${what} holds ${src.length} values; its dimensions [${t.dims.join(', ')}] need ${n}.`, { tensor: t.name, expected: n, found: src.length });
    out = Float32Array.from(src);
  }
  return out;
}

/** TensorFlow's 'same' padding for one axis: [before, after]. */
function samePads(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convOut(size: number, k: number, s: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

/** Engine-safe, unique node names (tfjs names variables `<layer>/kernel`, so no '/' and a letter first). */
function namer(): (raw: string, fallback: string) => string {
  const used = new Set<string>();
  return (raw, fallback) => {
    let base =
      raw
        .replace(/[^A-Za-z0-9_.-]+/g, '_')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 120) || fallback;
    if (!/^[A-Za-z]/.test(base)) base = `n${base}`;
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
}

/** Kahn's order of the nodes by the tensors they read; refuses cycles and unknown tensors. */
function topoNodes(file: string, nodes: OnnxNode[], known: Set<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const indeg = nodes.map(() => 0);
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const t of n.inputs) {
      if (t === '') continue;
      const p = producer.get(t);
      if (p === undefined) {
        if (!known.has(t)) bad(file, `node "${n.name || n.opType}" (${n.opType}) reads the tensor "${t}", which no node, input or initializer provides.`, { node: n.name, found: t });
        continue;
      }
      indeg[i]++;
      readers[p].push(i);
    }
  });
  const queue = indeg.flatMap((d, i) => (d === 0 ? [i] : []));
  const order: OnnxNode[] = [];
  while (queue.length) {
    const i = queue.shift()!;
    order.push(nodes[i]);
    for (const r of readers[i]) if (--indeg[r] === 0) queue.push(r);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => indeg[i] > 0).map((n) => `"${n.name || n.opType}"`);
    bad(file, `the ONNX graph has a cycle through ${stuck.slice(0, 5).join(', ')}.`, { nodes: stuck });
  }
  return order;
}

/** The ONNX file as an engine Graph (input NHWC, output logits). */
export function graphFromOnnx(bytes: Uint8Array, file: string): Graph {
  const model = decodeModel(bytes, file);
  const g = model.graph;
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 9) bad(file, `the model uses ONNX opset ${opset}; the studio reads opset 9 and later (torch.onnx.export's default is 14 or more).`, { found: opset });
  if (g.nodes.length > MAX_NODES) bad(file, `${g.nodes.length} nodes; at most ${MAX_NODES} are accepted.`);
  const name = namer();
  const vals = new Map<string, Val>();
  for (const t of g.initializers) vals.set(t.name, { kind: 'const', dims: t.dims, values: tensorValues(file, t, `the initializer "${t.name}"`) });
  const inputs = g.inputs.filter((i) => !vals.has(i.name));
  if (inputs.length !== 1) bad(file, `the studio needs one image input; this graph has ${inputs.length} (${inputs.map((i) => i.name).join(', ')}).`, { found: inputs.length });
  const input = inputs[0];
  const s = input.shape;
  if (input.elemType !== DataType.FLOAT || !s || s.length !== 4 || s.slice(1).some((d) => !(d > 0)))
    bad(file, `the input "${input.name}" must be a float32 image batch [N, C, H, W]; found ${input.elemType === DataType.FLOAT ? 'float32' : `type ${input.elemType}`} [${s?.join(', ') ?? 'no shape'}].`, { found: s });
  const nodes: GraphNode[] = [];
  const inName = name(input.name, 'input');
  nodes.push({ op: 'input', name: inName, inputs: [], shape: [s[2], s[3], s[1]] });
  vals.set(input.name, { kind: 'node', node: inName, shape: [s[2], s[3], s[1]], layout: 'image' });

  const order = topoNodes(file, g.nodes, new Set(vals.keys()));
  const readers = new Map<string, number>();
  for (const n of order) for (const t of n.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const emit = (n: GraphNode) => {
    nodes.push(n);
    byName.set(n.name, n);
  };

  order.forEach((n, index) => {
    const where = `node "${n.name || n.opType}" (${n.opType}, node ${index + 1} of ${order.length})`;
    if (n.domain !== '' && n.domain !== 'ai.onnx') bad(file, `${where} is from the operator domain "${n.domain}"; the studio imports standard ONNX operators only.`, { node: n.name, op: n.opType });
    const attr = (k: string): OnnxAttribute | undefined => n.attributes.get(k);
    const ints = (k: string, dflt: number[]) => (attr(k)?.ints.length ? attr(k)!.ints : dflt);
    const int = (k: string, dflt: number) => attr(k)?.i ?? dflt;
    const flt = (k: string, dflt: number) => attr(k)?.f ?? dflt;
    const get = (i: number): Val => {
      const v = vals.get(n.inputs[i]);
      if (!v) bad(file, `${where} reads "${n.inputs[i]}", which is not available.`, { node: n.name });
      return v;
    };
    const act = (i: number): Extract<Val, { kind: 'node' }> => {
      const v = get(i);
      if (v.kind !== 'node') bad(file, `${where} takes a constant where the studio expects the output of another node.`, { node: n.name });
      if (v.pad && n.opType !== 'Conv') bad(file, `${where} reads a Pad; a Pad is imported only when it feeds a convolution.`, { node: n.name });
      return v;
    };
    const konst = (i: number, what: string): Extract<Val, { kind: 'const' }> => {
      const v = get(i);
      if (v.kind !== 'const') bad(file, `${where}: its ${what} must be a constant (an initializer); here it is computed by the graph.`, { node: n.name });
      return v;
    };
    const out = n.outputs[0];
    const alias = (v: Val) => vals.set(out, v);
    const image = (v: Extract<Val, { kind: 'node' }>) => {
      if (v.layout !== 'image') bad(file, `${where} needs an image [C, H, W]; it receives a flat tensor.`, { node: n.name });
      return v.shape as [number, number, number];
    };
    const padsOf = (x: [number, number, number], k: [number, number], st: [number, number], extra?: [number, number, number, number]): Padding => {
      const autoPad = attr('auto_pad')?.s ?? 'NOTSET';
      if (autoPad === 'VALID' && !extra) return 'valid';
      if (autoPad === 'SAME_UPPER' && !extra) return 'same';
      if (autoPad !== 'NOTSET' && autoPad !== 'SAME_LOWER') bad(file, `${where} has auto_pad ${autoPad}.`, { node: n.name });
      const p =
        autoPad === 'SAME_LOWER'
          ? (() => {
              const [h0, h1] = samePads(x[0], k[0], st[0]);
              const [w0, w1] = samePads(x[1], k[1], st[1]);
              return [h1, w1, h0, w0];
            })()
          : ints('pads', [0, 0, 0, 0]);
      const t = extra ? [p[0] + extra[0], p[1] + extra[1], p[2] + extra[2], p[3] + extra[3]] : p;
      if (t.every((v) => v === 0)) return 'valid';
      const [h0, h1] = samePads(x[0], k[0], st[0]);
      const [w0, w1] = samePads(x[1], k[1], st[1]);
      if (t[0] === h0 && t[2] === h1 && t[1] === w0 && t[3] === w1) return 'same';
      return bad(
        file,
        `${where} pads [top ${t[0]}, left ${t[1]}, bottom ${t[2]}, right ${t[3]}] on its ${x[0]}x${x[1]} input at stride ${st.join('x')}; the studio (like TFLite) supports no padding or TensorFlow's "same" ([${h0}, ${w0}, ${h1}, ${w1}] here). Export with padding that keeps the size at stride 1, or pad explicitly where TensorFlow would.`,
        { node: n.name, found: t, expected: [h0, w0, h1, w1] },
      );
    };
    const nodeName = () => name(n.name || `${n.opType}_${index}`, n.opType.toLowerCase());

    switch (n.opType) {
      case 'Constant': {
        const t = attr('value')?.t;
        if (!t) bad(file, `${where} holds no tensor value (value_float, value_ints and sparse constants are not supported).`, { node: n.name });
        alias({ kind: 'const', dims: t.dims, values: tensorValues(file, t, `the constant of ${where}`) });
        return;
      }
      case 'Identity':
      case 'Dropout':
        alias(get(0));
        return;
      // Shape arithmetic, evaluated here on the known shapes: torch exports `x.view(x.size(0), -1)`
      // as Shape -> Gather -> Unsqueeze -> Concat -> Reshape, whenever the batch is dynamic or
      // constant folding is off. The batch is 1 (the engine keeps its own batch dimension).
      case 'Shape': {
        const x = act(0);
        const onnxShape = x.layout === 'image' ? [1, x.shape[2], x.shape[0], x.shape[1]] : [1, ...x.shape];
        const rank = onnxShape.length;
        const at = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
        const dims = onnxShape.slice(at(int('start', 0)), at(int('end', rank)));
        alias({ kind: 'const', dims: [dims.length], values: Float32Array.from(dims) });
        return;
      }
      case 'Gather': {
        const data = konst(0, 'data');
        const idx = konst(1, 'indices');
        if (data.dims.length !== 1 || int('axis', 0) !== 0) bad(file, `${where} gathers from a tensor of dimensions [${data.dims.join(', ')}]; only picking entries of a shape vector is supported.`, { node: n.name });
        const len = data.values.length;
        const values = idx.values.map((i) => data.values[i < 0 ? i + len : i]);
        if (values.some((v) => v === undefined || Number.isNaN(v))) bad(file, `${where} picks entries [${Array.from(idx.values).join(', ')}] of a shape of ${len}.`, { node: n.name });
        alias({ kind: 'const', dims: idx.dims, values });
        return;
      }
      case 'Unsqueeze': {
        const x = konst(0, 'input');
        const axes = n.inputs[1] ? Array.from(konst(1, 'axes').values) : ints('axes', []);
        const rank = x.dims.length + axes.length;
        const dims: number[] = [];
        const set = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
        for (let i = 0, k = 0; i < rank; i++) dims.push(set.has(i) ? 1 : x.dims[k++]);
        alias({ kind: 'const', dims, values: x.values });
        return;
      }
      case 'Concat': {
        const parts = n.inputs.map((_, i) => konst(i, 'input'));
        if (parts.some((p) => p.dims.length > 1)) bad(file, `${where} concatenates tensors of rank ${Math.max(...parts.map((p) => p.dims.length))}; only shape vectors are supported.`, { node: n.name });
        const values = Float32Array.from(parts.flatMap((p) => Array.from(p.values)));
        alias({ kind: 'const', dims: [values.length], values });
        return;
      }
      case 'Cast':
        alias(konst(0, 'input'));
        return;
      case 'Conv': {
        const x = act(0);
        const [h, w, c] = image(x);
        const W = konst(1, 'weight');
        if (W.dims.length !== 4) bad(file, `${where} is not a 2-D convolution (weight dimensions [${W.dims.join(', ')}]).`, { node: n.name });
        const [m, cg, kh, kw] = W.dims;
        const group = int('group', 1);
        if (ints('dilations', [1, 1]).some((d) => d !== 1)) bad(file, `${where} is dilated; dilated convolutions are not supported.`, { node: n.name });
        const st = ints('strides', [1, 1]) as [number, number];
        const padding = padsOf([h, w, c], [kh, kw], st, x.pad);
        const bias = n.inputs[2] ? konst(2, 'bias') : undefined;
        let kernel: WeightArray;
        let op: 'conv2d' | 'depthwise';
        if (group === 1 && cg === c) {
          op = 'conv2d';
          const k = new Float32Array(kh * kw * c * m);
          for (let o = 0; o < m; o++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) k[((i * kw + j) * c + ci) * m + o] = W.values[((o * c + ci) * kh + i) * kw + j];
          kernel = { shape: [kh, kw, c, m], values: k };
        } else if (group === c && cg === 1 && m % c === 0) {
          op = 'depthwise';
          const mult = m / c;
          const k = new Float32Array(kh * kw * m);
          for (let ci = 0; ci < c; ci++) for (let q = 0; q < mult; q++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) k[((i * kw + j) * c + ci) * mult + q] = W.values[((ci * mult + q) * kh + i) * kw + j];
          kernel = { shape: [kh, kw, c, mult], values: k };
        } else return bad(file, `${where} is a grouped convolution (group ${group}, ${c} input channels); only group 1 and depthwise (group = channels) are supported.`, { node: n.name });
        if (bias && bias.values.length !== m) bad(file, `${where} has ${bias.values.length} biases for ${m} filters.`, { node: n.name });
        const nm = nodeName();
        emit({ op, name: nm, inputs: [x.node], kernel, bias: bias ? { shape: [m], values: bias.values } : undefined, strides: st, padding, activation: 'linear' });
        alias({ kind: 'node', node: nm, shape: [convOut(h, kh, st[0], padding), convOut(w, kw, st[1], padding), m], layout: 'image' });
        return;
      }
      case 'Pad': {
        const x = act(0);
        image(x);
        if ((attr('mode')?.s ?? 'constant') !== 'constant') bad(file, `${where} pads in mode "${attr('mode')?.s}"; only zero padding is supported.`, { node: n.name });
        const p = n.inputs[1] ? Array.from(konst(1, 'pads').values) : ints('pads', []);
        const value = n.inputs[2] ? (konst(2, 'value').values[0] ?? 0) : flt('value', 0);
        if (p.length !== 8 || p[0] || p[1] || p[4] || p[5] || value !== 0) bad(file, `${where} pads [${p.join(', ')}] with ${value}; only zero padding of height and width is supported.`, { node: n.name, found: p });
        const pads: [number, number, number, number] = [p[2], p[3], p[6], p[7]];
        if (pads.every((v) => v === 0)) alias(x);
        else alias({ ...x, pad: x.pad ? [x.pad[0] + pads[0], x.pad[1] + pads[1], x.pad[2] + pads[2], x.pad[3] + pads[3]] : pads });
        return;
      }
      case 'BatchNormalization': {
        const x = act(0);
        if (x.chw) bad(file, `${where} normalises a flattened image; the studio supports BatchNormalization of channels only.`, { node: n.name });
        const ch = x.shape[x.shape.length - 1];
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => konst(i, ['scale', 'bias', 'mean', 'variance'][i - 1]));
        for (const p of [gamma, beta, mean, variance]) if (p.values.length !== ch) bad(file, `${where} has ${p.values.length} parameters for ${ch} channels.`, { node: n.name });
        const w = (v: Float32Array): WeightArray => ({ shape: [ch], values: v });
        const nm = nodeName();
        emit({ op: 'batchnorm', name: nm, inputs: [x.node], gamma: w(gamma.values), beta: w(beta.values), mean: w(mean.values), variance: w(variance.values), epsilon: flt('epsilon', 1e-5), momentum: flt('momentum', 0.9) });
        alias({ ...x, node: nm });
        return;
      }
      case 'Relu':
      case 'Clip':
      case 'Softmax': {
        const x = act(0);
        let activation: Activation = 'relu';
        if (n.opType === 'Clip') {
          const lo = n.inputs[1] ? konst(1, 'minimum').values[0] : attr('min')?.f;
          const hi = n.inputs[2] ? konst(2, 'maximum').values[0] : attr('max')?.f;
          if (lo === 0 && hi === 6) activation = 'relu6';
          else if (!(lo === 0 && (hi === undefined || hi === Infinity))) bad(file, `${where} clips to [${lo ?? '-inf'}, ${hi ?? 'inf'}]; only Clip(0, 6) (ReLU6) and Clip(0) (ReLU) are supported.`, { node: n.name });
        }
        if (n.opType === 'Softmax') {
          if (x.layout === 'image') bad(file, `${where} applies softmax to an image; only a softmax over class scores is supported.`, { node: n.name });
          activation = 'softmax';
        }
        const nm = nodeName();
        emit({ op: 'activation', name: nm, inputs: [x.node], activation });
        alias({ ...x, node: nm });
        return;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const x = act(0);
        const [h, w, c] = image(x);
        if (int('ceil_mode', 0) !== 0) bad(file, `${where} rounds its output size up (ceil_mode 1); only floor is supported.`, { node: n.name });
        if (ints('dilations', [1, 1]).some((d) => d !== 1)) bad(file, `${where} is dilated.`, { node: n.name });
        const k = ints('kernel_shape', []) as [number, number];
        if (k.length !== 2) bad(file, `${where} is not a 2-D pooling.`, { node: n.name });
        const st = ints('strides', [1, 1]) as [number, number];
        const padding = padsOf([h, w, c], k, st);
        if (n.opType === 'AveragePool' && padding === 'same' && int('count_include_pad', 0) !== 0) bad(file, `${where} counts padding in its averages; TensorFlow's "same" average pooling does not.`, { node: n.name });
        const nm = nodeName();
        emit({ op: n.opType === 'MaxPool' ? 'maxpool' : 'avgpool', name: nm, inputs: [x.node], pool: k, strides: st, padding });
        alias({ kind: 'node', node: nm, shape: [convOut(h, k[0], st[0], padding), convOut(w, k[1], st[1], padding), c], layout: 'image' });
        return;
      }
      case 'GlobalAveragePool': {
        const x = act(0);
        const [, , c] = image(x);
        const nm = nodeName();
        emit({ op: 'gap', name: nm, inputs: [x.node] });
        alias({ kind: 'node', node: nm, shape: [c], layout: 'gap' });
        return;
      }
      case 'Flatten':
      case 'Reshape': {
        const x = act(0);
        if (n.opType === 'Flatten' && int('axis', 1) !== 1) bad(file, `${where} flattens from axis ${int('axis', 1)}; only axis 1 (keep the batch) is supported.`, { node: n.name });
        const total = x.shape.reduce((a, b) => a * b, 1);
        if (n.opType === 'Reshape') {
          const shape = Array.from(konst(1, 'shape').values);
          const ok = shape.length === 2 && (shape[1] === -1 || shape[1] === total) && (shape[0] === -1 || shape[0] === 0 || shape[0] === 1 || shape[1] === total);
          if (!ok) bad(file, `${where} reshapes to [${shape.join(', ')}]; only flattening to [batch, ${total}] is supported.`, { node: n.name, found: shape });
        }
        if (x.layout !== 'image') {
          alias({ ...x, layout: 'flat' });
          return;
        }
        const [h, w, c] = x.shape;
        const nm = nodeName();
        emit({ op: 'flatten', name: nm, inputs: [x.node] });
        alias({ kind: 'node', node: nm, shape: [total], layout: 'flat', chw: h * w > 1 && c > 1 ? [c, h, w] : undefined });
        return;
      }
      case 'Gemm':
      case 'MatMul': {
        const x = act(0);
        if (x.layout === 'image') bad(file, `${where} multiplies an image; flatten it first.`, { node: n.name });
        const B = konst(1, 'weight matrix');
        const K = x.shape[0];
        if (n.opType === 'Gemm' && int('transA', 0) !== 0) bad(file, `${where} transposes its input (transA 1).`, { node: n.name });
        const transB = n.opType === 'Gemm' && int('transB', 0) === 1;
        const [r, cols] = B.dims;
        if (B.dims.length !== 2 || (transB ? cols : r) !== K) bad(file, `${where} has a weight matrix [${B.dims.join(', ')}] for an input of ${K} features.`, { node: n.name });
        const N = transB ? r : cols;
        const alpha = n.opType === 'Gemm' ? flt('alpha', 1) : 1;
        const kernel = new Float32Array(K * N);
        // Row k of the engine's kernel: the feature the engine's (HWC) flatten puts at k.
        const src = (k: number): number => {
          if (!x.chw) return k;
          const [c, h, w] = x.chw;
          const ci = k % c;
          const hw = (k - ci) / c;
          return ci * h * w + hw;
        };
        for (let k = 0; k < K; k++) {
          const ks = src(k);
          for (let o = 0; o < N; o++) kernel[k * N + o] = alpha * (transB ? B.values[o * K + ks] : B.values[ks * N + o]);
        }
        let bias: WeightArray | undefined;
        if (n.opType === 'Gemm' && n.inputs[2]) {
          const C = konst(2, 'bias');
          if (C.values.length !== N) bad(file, `${where} has a bias of ${C.values.length} values for ${N} outputs; only a per-output bias is supported.`, { node: n.name });
          const beta = flt('beta', 1);
          bias = { shape: [N], values: C.values.map((v) => v * beta) };
        }
        const nm = nodeName();
        emit({ op: 'dense', name: nm, inputs: [x.node], kernel: { shape: [K, N], values: kernel }, bias, activation: 'linear' });
        alias({ kind: 'node', node: nm, shape: [N], layout: 'flat' });
        return;
      }
      case 'Add': {
        const [a, b] = [get(0), get(1)];
        if (a.kind === 'node' && b.kind === 'node') {
          const x = act(0);
          const y = act(1);
          if (x.shape.join() !== y.shape.join() || x.layout !== y.layout || !!x.chw !== !!y.chw)
            bad(file, `${where} adds tensors of shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]; only same-shaped tensors are supported (no broadcasting).`, { node: n.name });
          const nm = nodeName();
          emit({ op: 'add', name: nm, inputs: [x.node, y.node], activation: 'linear' });
          alias({ ...x, node: nm });
          return;
        }
        // A constant added to a bias-free dense or convolution is its bias (torch's Linear as MatMul + Add).
        const [x, k] = a.kind === 'node' ? [a, b as Extract<Val, { kind: 'const' }>] : [b as Extract<Val, { kind: 'node' }>, a];
        if (x.kind !== 'node' || k.kind !== 'const') bad(file, `${where} adds two constants.`, { node: n.name });
        const p = byName.get(x.node);
        const tensorIn = a.kind === 'node' ? n.inputs[0] : n.inputs[1];
        const ch = x.shape[x.shape.length - 1];
        if (!p || (p.op !== 'dense' && p.op !== 'conv2d' && p.op !== 'depthwise') || p.bias || readers.get(tensorIn) !== 1 || k.values.length !== ch) {
          bad(file, `${where} adds a constant of ${k.values.length} values; the studio supports a constant Add only as the bias of the dense or convolution before it.`, { node: n.name });
        }
        p.bias = { shape: [ch], values: k.values };
        alias(x);
        return;
      }
      default:
        bad(file, `${where}, reading ${n.inputs.map((i) => `"${i}"`).join(', ') || 'nothing'}: the studio cannot import the operator ${n.opType}. It imports ${SUPPORTED_OPS.join(', ')}.`, { node: n.name, op: n.opType });
    }
  });

  if (g.outputs.length !== 1) bad(file, `the studio needs one output; this graph has ${g.outputs.length}.`, { found: g.outputs.length });
  const o = vals.get(g.outputs[0].name);
  if (!o || o.kind !== 'node' || o.layout === 'image') bad(file, `the output "${g.outputs[0].name}" must be a vector of class scores computed by the graph.`);
  return { name: name(g.name || 'onnx', 'onnx'), nodes, output: o.node };
}

/** ONNX has no magic number: a ModelProto starts with ir_version (field 1, varint), and names its producer or graph soon after. */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || bytes[0] !== 0x08 || bytes[1] > 20) return false;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 256)));
  return /pytorch|onnx|tf2onnx|keras2onnx|skl2onnx|paddle|main_graph|torch/i.test(head) || bytes[2] === 0x12 || bytes[2] === 0x3a || bytes[2] === 0x42;
}
