/**
 * Validates a tfjs LayersModel (model.json + weight files) before anything is allocated or handed
 * to tfjs, whose loader trusts its input: some malformed files make it spin, and many invalid ones
 * load silently (swapped or duplicate shards, wrong shapes, NaN weights), after which every figure
 * is wrong. Checks, in order:
 *   1. model.json: size, UTF-8, nesting depth, no prototype keys (safe-json.ts);
 *   2. structure: a functional or sequential Keras topology with one input and one output;
 *   3. layers: names unique, classes the engine supports (anything else, e.g. Lambda, is refused
 *      by name and never evaluated), every inbound reference resolves, no cycles;
 *   4. shapes: each layer's output shape inferred from its config, with caps on every dimension,
 *      so the weights each layer needs are known exactly;
 *   5. manifest: weight paths name only files the user supplied (no directories, no URLs), each
 *      file used once; every expected weight present exactly once with its shape and a valid
 *      dtype/quantization; bytes implied per group equal the bytes received;
 *   6. values: float weights finite.
 * Each refusal names the file, what was expected and what was found.
 */
import { StudioError } from '../errors';
import { safeParseJson } from './safe-json';

export interface ValidationCaps {
  maxDim: number;
  maxChannels: number;
  maxKernel: number;
  maxLayers: number;
  maxParams: number;
  maxWeightBytes: number;
}

export const DEFAULT_CAPS: ValidationCaps = { maxDim: 1024, maxChannels: 8192, maxKernel: 15, maxLayers: 2000, maxParams: 100_000_000, maxWeightBytes: 512 * 1024 * 1024 };

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface ValidatedLayersModel {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** All weight bytes in manifest order, as tfjs' fromMemory expects. */
  weightData: ArrayBuffer;
  inputShape: [number, number, number];
  outputUnits: number;
  layerCount: number;
}

type Obj = Record<string, unknown>;

const SUPPORTED = new Set(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'Dense', 'BatchNormalization', 'Activation', 'ReLU', 'Add', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Dropout']);
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'softmax', 'sigmoid', 'tanh']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(file: string, message: string, context: Obj = {}): never {
  throw new StudioError('bad-model', `${file}: ${message}`, { fileName: file, ...context });
}

function intIn(file: string, what: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(file, `${what} must be a whole number from ${lo} to ${hi}; found ${JSON.stringify(v)}.`, { expected: `${lo}..${hi}`, found: v });
  return v;
}

function pairOf(file: string, what: string, v: unknown, lo: number, hi: number): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2) bad(file, `${what} must have 2 entries; found ${JSON.stringify(v)}.`);
  return [intIn(file, what, a[0], lo, hi), intIn(file, what, a[1], lo, hi)];
}

function convOut(size: number, k: number, s: number, padding: string): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

interface LayerInfo {
  name: string;
  cls: string;
  config: Obj;
  inbound: string[];
}

function readLayers(file: string, topology: Obj): { layers: LayerInfo[]; input: string; output: string } {
  const cls = topology.class_name;
  const config = topology.config;
  if (cls === 'Sequential') {
    const list = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
    if (!Array.isArray(list) || list.length === 0) bad(file, 'a Sequential model needs a non-empty list of layers.');
    const layers: LayerInfo[] = [];
    let prev: string | undefined;
    list.forEach((l: unknown, i: number) => {
      if (!isObj(l) || !isObj(l.config)) bad(file, `layer ${i} is not an object with a config.`);
      const name = typeof l.config.name === 'string' ? l.config.name : `layer_${i}`;
      if (i === 0 && l.class_name !== 'InputLayer') {
        const shape = l.config.batch_input_shape;
        layers.push({ name: `${name}_input`, cls: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
        prev = `${name}_input`;
      }
      layers.push({ name, cls: String(l.class_name), config: l.config, inbound: prev ? [prev] : [] });
      prev = name;
    });
    return { layers, input: layers[0].name, output: layers[layers.length - 1].name };
  }
  if (cls !== 'Model' && cls !== 'Functional') bad(file, `modelTopology.class_name must be Model, Functional or Sequential; found ${JSON.stringify(cls)}.`, { expected: 'Model', found: cls });
  if (!isObj(config) || !Array.isArray(config.layers)) bad(file, 'modelTopology.config.layers is missing.');
  const ios = (key: string): string => {
    const v = config[key];
    if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== 'string') bad(file, `the studio needs exactly one entry in ${key}; found ${JSON.stringify(v)?.slice(0, 80)}.`, { expected: 1 });
    if (v[0][1] !== 0 || v[0][2] !== 0) bad(file, `${key} refers to node ${v[0][1]}, tensor ${v[0][2]}; only node 0, tensor 0 exists in a model without shared layers.`);
    return v[0][0] as string;
  };
  const layers = (config.layers as unknown[]).map((l, i): LayerInfo => {
    if (!isObj(l) || typeof l.name !== 'string' || !isObj(l.config)) bad(file, `layer ${i} needs a name and a config.`);
    const nodes = l.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) bad(file, `layer "${l.name}" has inbound_nodes that are not a list.`);
    if (nodes.length > 1) bad(file, `layer "${l.name}" is applied ${nodes.length} times; shared layers are not supported.`);
    const inbound = nodes.length === 0 ? [] : (nodes[0] as unknown[]).map((ref, j) => {
      if (!Array.isArray(ref) || typeof ref[0] !== 'string') bad(file, `layer "${l.name}" inbound reference ${j} is malformed: ${JSON.stringify(ref)?.slice(0, 80)}.`);
      if (ref[1] !== 0 || ref[2] !== 0) bad(file, `layer "${l.name}" reads node ${ref[1]}, tensor ${ref[2]} of "${ref[0]}"; only node 0, tensor 0 exists.`, { expected: '[name, 0, 0]', found: ref });
      return ref[0] as string;
    });
    return { name: l.name, cls: String(l.class_name), config: l.config, inbound };
  });
  return { layers, input: ios('input_layers'), output: ios('output_layers') };
}

/** Kahn's algorithm: the layers in an order where every input comes first; refuses cycles. */
function topoOrder(file: string, layers: LayerInfo[]): LayerInfo[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const indeg = new Map(layers.map((l) => [l.name, l.inbound.length]));
  const readers = new Map<string, string[]>(layers.map((l) => [l.name, []]));
  for (const l of layers) for (const i of l.inbound) readers.get(i)!.push(l.name);
  const queue = layers.filter((l) => l.inbound.length === 0).map((l) => l.name);
  const order: LayerInfo[] = [];
  while (queue.length) {
    const n = queue.shift()!;
    order.push(byName.get(n)!);
    for (const r of readers.get(n)!) {
      indeg.set(r, indeg.get(r)! - 1);
      if (indeg.get(r) === 0) queue.push(r);
    }
  }
  if (order.length !== layers.length) {
    const stuck = layers.filter((l) => indeg.get(l.name)! > 0).map((l) => l.name);
    bad(file, `the layer graph has a cycle through ${stuck.slice(0, 5).map((s) => `"${s}"`).join(', ')}.`, { layers: stuck });
  }
  return order;
}

/** Output shape (no batch axis) and the weights ([name suffix, shape]) a layer needs. */
function inferLayer(file: string, l: LayerInfo, ins: number[][], caps: ValidationCaps): { shape: number[]; weights: Array<[string, number[]]> } {
  const c = l.config;
  const where = `layer "${l.name}" (${l.cls})`;
  const x = ins[0];
  const need4 = () => {
    if (!x || x.length !== 3) bad(file, `${where} needs an image input [h, w, c]; it receives [${x?.join(', ')}].`, { layer: l.name });
  };
  const act = () => {
    const a = c.activation ?? 'linear';
    if (typeof a !== 'string' || !ACTIVATIONS.has(a)) bad(file, `${where} uses the activation ${JSON.stringify(a)}, which the studio does not support.`, { layer: l.name });
  };
  switch (l.cls) {
    case 'InputLayer': {
      const s = c.batch_input_shape ?? c.batchInputShape;
      if (!Array.isArray(s) || s.length !== 4) bad(file, `${where}: the input must be an image batch [null, h, w, c]; found ${JSON.stringify(s)}.`, { layer: l.name, found: s });
      return { shape: [intIn(file, `${where} height`, s[1], 1, caps.maxDim), intIn(file, `${where} width`, s[2], 1, caps.maxDim), intIn(file, `${where} channels`, s[3], 1, caps.maxChannels)], weights: [] };
    }
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      need4();
      act();
      const [kh, kw] = pairOf(file, `${where} kernel_size`, c.kernel_size, 1, caps.maxKernel);
      const [sh, sw] = pairOf(file, `${where} strides`, c.strides ?? 1, 1, caps.maxKernel);
      const dil = pairOf(file, `${where} dilation_rate`, c.dilation_rate ?? 1, 1, 64);
      if (dil[0] !== 1 || dil[1] !== 1) bad(file, `${where} is dilated; dilated convolutions are not supported.`, { layer: l.name });
      const padding = c.padding ?? 'valid';
      if (padding !== 'same' && padding !== 'valid') bad(file, `${where} padding must be "same" or "valid"; found ${JSON.stringify(padding)}.`, { layer: l.name });
      const out = l.cls === 'Conv2D' ? intIn(file, `${where} filters`, c.filters, 1, caps.maxChannels) : x[2] * intIn(file, `${where} depth_multiplier`, c.depth_multiplier ?? 1, 1, 64);
      if (out > caps.maxChannels) bad(file, `${where} would output ${out} channels; at most ${caps.maxChannels}.`, { layer: l.name });
      const h = convOut(x[0], kh, sh, padding as string);
      const w = convOut(x[1], kw, sw, padding as string);
      if (h < 1 || w < 1) bad(file, `${where} with a ${kh}x${kw} kernel does not fit its ${x[0]}x${x[1]} input.`, { layer: l.name });
      const kernel: [string, number[]] = l.cls === 'Conv2D' ? ['kernel', [kh, kw, x[2], out]] : ['depthwise_kernel', [kh, kw, x[2], out / x[2]]];
      return { shape: [h, w, out], weights: c.use_bias === false ? [kernel] : [kernel, ['bias', [out]]] };
    }
    case 'Dense': {
      act();
      if (!x || x.length !== 1) bad(file, `${where} needs a flat input; it receives [${x?.join(', ')}] (add Flatten or GlobalAveragePooling2D before it).`, { layer: l.name });
      const units = intIn(file, `${where} units`, c.units, 1, caps.maxChannels * 16);
      return { shape: [units], weights: c.use_bias === false ? [['kernel', [x[0], units]]] : [['kernel', [x[0], units]], ['bias', [units]]] };
    }
    case 'BatchNormalization': {
      const ch = x[x.length - 1];
      const axis = c.axis ?? -1;
      if (!(axis === -1 || axis === x.length || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === x.length)))) bad(file, `${where} normalises axis ${JSON.stringify(axis)}; only the channel axis is supported.`, { layer: l.name });
      const w: Array<[string, number[]]> = [];
      if (c.scale !== false) w.push(['gamma', [ch]]);
      if (c.center !== false) w.push(['beta', [ch]]);
      w.push(['moving_mean', [ch]], ['moving_variance', [ch]]);
      return { shape: [...x], weights: w };
    }
    case 'Activation':
      act();
      return { shape: [...x], weights: [] };
    case 'ReLU':
    case 'Dropout':
      return { shape: [...x], weights: [] };
    case 'Add': {
      if (ins.length < 2) bad(file, `${where} needs at least two inputs; found ${ins.length}.`, { layer: l.name });
      for (const s of ins) if (s.join() !== x.join()) bad(file, `${where} adds tensors of shapes [${x.join(', ')}] and [${s.join(', ')}].`, { layer: l.name });
      return { shape: [...x], weights: [] };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      need4();
      const [ph, pw] = pairOf(file, `${where} pool_size`, c.pool_size ?? 2, 1, caps.maxKernel);
      const [sh, sw] = pairOf(file, `${where} strides`, c.strides ?? c.pool_size ?? 2, 1, caps.maxKernel);
      const padding = (c.padding ?? 'valid') as string;
      if (padding !== 'same' && padding !== 'valid') bad(file, `${where} padding must be "same" or "valid"; found ${JSON.stringify(padding)}.`, { layer: l.name });
      const h = convOut(x[0], ph, sh, padding);
      const w = convOut(x[1], pw, sw, padding);
      if (h < 1 || w < 1) bad(file, `${where} with a ${ph}x${pw} pool does not fit its ${x[0]}x${x[1]} input.`, { layer: l.name });
      return { shape: [h, w, x[2]], weights: [] };
    }
    case 'GlobalAveragePooling2D':
      need4();
      return { shape: [x[2]], weights: [] };
    case 'Flatten':
      return { shape: [x.reduce((a, b) => a * b, 1)], weights: [] };
    default:
      throw new StudioError('bad-model', `${file}: unsupported layer "${l.name}" of class ${l.cls}. The studio supports ${[...SUPPORTED].join(', ')}; no custom or Lambda layer is ever evaluated.`, { fileName: file, layer: l.name, className: l.cls });
  }
}

const BYTES: Record<string, number> = { float32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Checks a path in a weights manifest names one of the supplied files and nothing else. */
function checkPath(file: string, p: unknown, supplied: Map<string, Uint8Array>): string {
  if (typeof p !== 'string' || p.length === 0) bad(file, `a weights path must be a file name; found ${JSON.stringify(p)}.`);
  if (/[\\/]|^\.\.?$|:/.test(p)) bad(file, `the weights path "${p}" is not a plain file name (directories, ".." and URLs are refused).`, { found: p });
  if (!supplied.has(p)) bad(file, `the weights file "${p}" is missing; supplied: ${[...supplied.keys()].join(', ') || 'none'}.`, { expected: p });
  return p;
}

export function validateLayersModel(modelJson: Uint8Array, fileName: string, supplied: Map<string, Uint8Array>, caps: ValidationCaps = DEFAULT_CAPS): ValidatedLayersModel {
  const json = safeParseJson(modelJson, fileName);
  if (!isObj(json)) bad(fileName, 'the top level must be a JSON object.');
  const topology = json.modelTopology;
  if (!isObj(topology)) bad(fileName, 'modelTopology is missing: this is not a tfjs LayersModel (a graph model or a Keras .h5 needs converting with tensorflowjs_converter --output_format tfjs_layers_model).');
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) bad(fileName, 'weightsManifest is missing or not a list.');

  const { layers, input, output } = readLayers(fileName, topology);
  if (layers.length > caps.maxLayers) bad(fileName, `${layers.length} layers; at most ${caps.maxLayers} are accepted.`);
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) bad(fileName, `two layers are named "${l.name}".`, { layer: l.name });
    names.add(l.name);
  }
  for (const l of layers) for (const i of l.inbound) if (!names.has(i)) bad(fileName, `layer "${l.name}" reads from "${i}", which is not a layer of this model.`, { layer: l.name, found: i });
  for (const l of layers) if (!SUPPORTED.has(l.cls)) inferLayer(fileName, l, [], caps); // throws the named error
  if (!names.has(input) || layers.find((l) => l.name === input)!.cls !== 'InputLayer') bad(fileName, `input_layers names "${input}", which is not an InputLayer.`);
  if (!names.has(output)) bad(fileName, `output_layers names "${output}", which is not a layer of this model.`);
  const inputs = layers.filter((l) => l.cls === 'InputLayer');
  if (inputs.length !== 1) bad(fileName, `the studio needs one input layer; found ${inputs.length}.`, { expected: 1, found: inputs.length });
  for (const l of layers) if (l.cls !== 'InputLayer' && l.inbound.length === 0) bad(fileName, `layer "${l.name}" has no input.`, { layer: l.name });

  const order = topoOrder(fileName, layers);
  const shapes = new Map<string, number[]>();
  const expected = new Map<string, number[]>();
  let params = 0;
  for (const l of order) {
    const { shape, weights } = inferLayer(fileName, l, l.inbound.map((i) => shapes.get(i)!), caps);
    shapes.set(l.name, shape);
    for (const [suffix, s] of weights) {
      expected.set(`${l.name}/${suffix}`, s);
      params += s.reduce((a, b) => a * b, 1);
    }
    if (params > caps.maxParams) bad(fileName, `the model needs more than ${caps.maxParams} parameters.`, { expected: caps.maxParams });
  }
  const outShape = shapes.get(output)!;
  if (outShape.length !== 1) bad(fileName, `the output must be a vector of class scores; layer "${output}" outputs [${outShape.join(', ')}].`);

  // The manifest: paths, entries, bytes.
  const used = new Set<string>();
  const seen = new Set<string>();
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  let totalBytes = 0;
  manifest.forEach((group: unknown, gi: number) => {
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) bad(fileName, `weightsManifest[${gi}] needs "paths" and "weights" lists.`);
    const files = group.paths.map((p) => checkPath(fileName, p, supplied));
    for (const f of files) {
      if (used.has(f)) bad(fileName, `the weights file "${f}" is listed twice.`, { found: f });
      used.add(f);
    }
    let groupBytes = 0;
    for (const [wi, e] of (group.weights as unknown[]).entries()) {
      if (!isObj(e) || typeof e.name !== 'string' || !Array.isArray(e.shape)) bad(fileName, `weightsManifest[${gi}].weights[${wi}] needs a name and a shape.`);
      const want = expected.get(e.name);
      if (!want) bad(fileName, `the weight "${e.name}" belongs to no layer of this model (expected names like "${[...expected.keys()][0]}").`, { found: e.name });
      if (seen.has(e.name)) bad(fileName, `the weight "${e.name}" is listed twice.`, { found: e.name });
      seen.add(e.name);
      if (e.shape.join() !== want.join()) bad(fileName, `the weight "${e.name}" has shape [${e.shape.join(', ')}]; its layer needs [${want.join(', ')}].`, { expected: want, found: e.shape });
      if (e.dtype !== undefined && e.dtype !== 'float32') bad(fileName, `the weight "${e.name}" has dtype ${JSON.stringify(e.dtype)}; only float32 weights (optionally quantized) are supported.`, { found: e.dtype });
      let bytesPer = 4;
      const q = e.quantization;
      if (q !== undefined) {
        if (!isObj(q) || !['uint8', 'uint16', 'float16'].includes(q.dtype as string)) bad(fileName, `the weight "${e.name}" has an invalid quantization dtype ${JSON.stringify(isObj(q) ? q.dtype : q)}.`);
        if (q.dtype !== 'float16' && !(typeof q.scale === 'number' && Number.isFinite(q.scale) && q.scale > 0 && typeof q.min === 'number' && Number.isFinite(q.min))) {
          bad(fileName, `the weight "${e.name}" has invalid quantization parameters (scale ${JSON.stringify(q.scale)}, min ${JSON.stringify(q.min)}); scale must be a positive finite number and min finite.`);
        }
        bytesPer = BYTES[q.dtype as string];
      }
      groupBytes += want.reduce((a, b) => a * b, 1) * bytesPer;
      specs.push(q === undefined ? { name: e.name, shape: want, dtype: 'float32' } : { name: e.name, shape: want, dtype: 'float32', quantization: q as WeightSpec['quantization'] });
    }
    const sizes = files.map((f) => supplied.get(f)!.length);
    // tensorflowjs_converter cuts a group into equal shards with a smaller (or equal) last one, so
    // any other pattern means shards are missing, duplicated or supplied in the wrong order.
    if (sizes.length > 1 && (sizes.slice(0, -1).some((n) => n !== sizes[0]) || sizes[sizes.length - 1] > sizes[0] || sizes.some((n) => n === 0))) {
      bad(fileName, `the shards of weight group ${gi} (${files.join(', ')}) have sizes [${sizes.join(', ')}]; tensorflowjs_converter writes equal shards with a smaller last one, so shards are missing, duplicated or out of order.`, { found: sizes });
    }
    for (let i = 1; i < files.length; i++) {
      const a = supplied.get(files[i - 1])!;
      const b = supplied.get(files[i])!;
      if (a.length === b.length && a.every((v, k) => v === b[k])) bad(fileName, `the shards ${files[i - 1]} and ${files[i]} are identical: one was supplied twice.`, { found: files[i] });
    }
    const got = sizes.reduce((a, n) => a + n, 0);
    if (got !== groupBytes) bad(fileName, `the weights in group ${gi} need ${groupBytes} bytes, but ${files.join(', ')} hold ${got}.`, { expected: groupBytes, found: got });
    for (const f of files) parts.push(supplied.get(f)!);
    totalBytes += got;
    if (totalBytes > caps.maxWeightBytes) bad(fileName, `the weights exceed ${caps.maxWeightBytes} bytes.`);
  });
  for (const name of expected.keys()) if (!seen.has(name)) bad(fileName, `the weight "${name}" is missing from weightsManifest.`, { expected: name });

  const weightData = new Uint8Array(totalBytes);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.length;
  }
  // Float32 values must be finite (a NaN weight silently makes every prediction class 0).
  at = 0;
  const view = new DataView(weightData.buffer);
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!s.quantization) {
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(at + 4 * i, true);
        if (!Number.isFinite(v)) bad(fileName, `the weight "${s.name}" holds a non-finite value (${v}) at index ${i}.`, { weight: s.name, index: i });
        if (v < 0 && s.name.endsWith('/moving_variance')) bad(fileName, `the weight "${s.name}" holds a negative variance (${v}) at index ${i}; the weights are corrupt or in the wrong order.`, { weight: s.name, index: i });
      }
      at += 4 * n;
    } else at += n * BYTES[s.quantization.dtype];
  }
  const inShape = shapes.get(input)! as [number, number, number];
  return { modelTopology: topology, weightSpecs: specs, weightData: weightData.buffer, inputShape: inShape, outputUnits: outShape[0], layerCount: layers.length };
}
