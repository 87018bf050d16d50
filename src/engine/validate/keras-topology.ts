/**
 * Keras model topologies as the world writes them, read into one shape and checked layer by layer:
 *   - tfjs browser saves (`modelTopology` = {class_name, config, keras_version, backend});
 *   - tensorflowjs_converter for Keras 2.x, which nests the model under `model_config` beside
 *     `keras_version`, `backend` and `training_config`, with inbound references of four entries
 *     (the fourth holds call kwargs);
 *   - the pre-1.0 converter, whose Sequential `config` is a bare list of layers, the first one
 *     carrying `batch_input_shape` (no InputLayer);
 *   - Keras 3 (config.json of a .keras file, and tfjs exports of Keras 3 models): `batch_shape`,
 *     dtype policies as objects, inbound nodes as {args, kwargs} holding `__keras_tensor__`
 *     objects whose `keras_history` names the producer, and `input_layers` unnested.
 * The result is a list of layers with resolved inputs; `inferModel` then checks every layer's
 * config, infers output shapes (with caps), lists the weights each layer needs, and writes a
 * canonical topology: the only topology tfjs is ever given, with just the keys the engine reads,
 * so no user config key (initializers, regularizers, dtype policies) reaches tfjs.
 */
import { StudioError } from '../errors';

export interface ValidationCaps {
  maxDim: number;
  maxChannels: number;
  maxKernel: number;
  maxLayers: number;
  maxParams: number;
  maxWeightBytes: number;
}

export const DEFAULT_CAPS: ValidationCaps = { maxDim: 1024, maxChannels: 8192, maxKernel: 15, maxLayers: 2000, maxParams: 100_000_000, maxWeightBytes: 512 * 1024 * 1024 };

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SUPPORTED_LAYERS = ['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'Dense', 'BatchNormalization', 'Activation', 'ReLU', 'Add', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Dropout'] as const;
const SUPPORTED = new Set<string>(SUPPORTED_LAYERS);
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'softmax', 'sigmoid', 'tanh']);

export function bad(file: string, message: string, context: Obj = {}): never {
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

export interface KerasLayer {
  name: string;
  cls: string;
  config: Obj;
  /** Producer layer names, in order. */
  inbound: string[];
}

export interface KerasTopology {
  name: string;
  layers: KerasLayer[];
  input: string;
  output: string;
}

/**
 * The model object inside whatever wraps it: tfjs' modelTopology (Keras 2 converter output nests
 * it under model_config) or a Keras config. Graph models are named as such.
 */
export function kerasModelConfig(file: string, topology: unknown): Obj {
  if (!isObj(topology)) bad(file, 'the model topology is not an object.');
  if (Array.isArray(topology.node)) bad(file, GRAPH_MODEL_MESSAGE, { found: 'graph-model' });
  const inner = topology.model_config;
  if (inner !== undefined) {
    if (!isObj(inner)) bad(file, `modelTopology.model_config must be an object; found ${JSON.stringify(inner)?.slice(0, 60)}.`);
    return inner;
  }
  return topology;
}

export const GRAPH_MODEL_MESSAGE =
  'this is a tfjs graph model; the studio needs a layers model. Convert the original Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 out/`, or upload the Keras .keras/.h5 file itself (a SavedModel or frozen graph has no layers to recover).';

/** A Keras 3 inbound node's producers: the keras_history of every __keras_tensor__ in its args. */
function historyRefs(args: unknown, depth = 0): unknown[] {
  if (depth > 4) return [];
  if (Array.isArray(args)) return args.flatMap((a) => historyRefs(a, depth + 1));
  if (isObj(args) && args.class_name === '__keras_tensor__' && isObj(args.config)) return [args.config.keras_history];
  return [];
}

function layerName(l: Obj, i: number): string {
  const n = typeof l.name === 'string' ? l.name : isObj(l.config) && typeof l.config.name === 'string' ? l.config.name : undefined;
  return n ?? `layer_${i}`;
}

/** Reads a Sequential or functional (Model / Functional) topology of any of the writers above. */
export function readKerasTopology(file: string, topology: Obj): KerasTopology {
  const cls = topology.class_name;
  const config = topology.config;
  const modelName = isObj(config) && typeof config.name === 'string' ? config.name : String(cls ?? 'model');
  if (cls === 'Sequential') {
    const list = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
    if (!Array.isArray(list) || list.length === 0) bad(file, 'a Sequential model needs a non-empty list of layers.');
    const layers: KerasLayer[] = [];
    let prev: string | undefined;
    list.forEach((l: unknown, i: number) => {
      if (!isObj(l) || !isObj(l.config)) bad(file, `layer ${i} is not an object with a config.`);
      const name = layerName(l, i);
      if (i === 0 && l.class_name !== 'InputLayer') {
        // Keras 2 and the pre-1.0 converter put the input size on the first layer; Keras 3 on the
        // Sequential (build_input_shape) or the layer's build_config.
        const shape = l.config.batch_input_shape ?? l.config.batch_shape ?? (isObj(config) ? config.build_input_shape : undefined) ?? (isObj(l.build_config) ? l.build_config.input_shape : undefined);
        if (shape === undefined) bad(file, `the Sequential model's first layer "${name}" has no batch_input_shape and there is no InputLayer, so the input size is unknown.`, { layer: name });
        layers.push({ name: `${name}_input`, cls: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
        prev = `${name}_input`;
      }
      layers.push({ name, cls: String(l.class_name), config: l.config, inbound: prev ? [prev] : [] });
      prev = name;
    });
    return { name: modelName, layers, input: layers[0].name, output: layers[layers.length - 1].name };
  }
  if (cls !== 'Model' && cls !== 'Functional') bad(file, `the model's class_name must be Model, Functional or Sequential; found ${JSON.stringify(cls)}.`, { expected: 'Model', found: cls });
  if (!isObj(config) || !Array.isArray(config.layers)) bad(file, 'the model config has no list of layers.');
  const ios = (key: string): string => {
    let v = config[key];
    // Keras 3 writes a single input or output unnested: ["name", 0, 0].
    if (Array.isArray(v) && typeof v[0] === 'string') v = [v];
    if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== 'string') bad(file, `the studio needs exactly one entry in ${key}; found ${JSON.stringify(v)?.slice(0, 80)}.`, { expected: 1 });
    if (v[0][1] !== 0 || v[0][2] !== 0) bad(file, `${key} refers to node ${v[0][1]}, tensor ${v[0][2]}; only node 0, tensor 0 exists in a model without shared layers.`);
    return v[0][0] as string;
  };
  const layers = (config.layers as unknown[]).map((l, i): KerasLayer => {
    if (!isObj(l) || !isObj(l.config) || (typeof l.name !== 'string' && typeof l.config.name !== 'string')) bad(file, `layer ${i} needs a name and a config.`);
    const name = layerName(l, i);
    const nodes = l.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) bad(file, `layer "${name}" has inbound_nodes that are not a list.`);
    if (nodes.length > 1) bad(file, `layer "${name}" is applied ${nodes.length} times; shared layers are not supported.`);
    const node = nodes[0];
    const refs = node === undefined ? [] : Array.isArray(node) ? node : isObj(node) ? historyRefs(node.args) : bad(file, `layer "${name}" has a malformed inbound node: ${JSON.stringify(node)?.slice(0, 80)}.`);
    if (node !== undefined && refs.length === 0) bad(file, `layer "${name}" has an inbound node with no input tensors.`, { layer: name });
    const inbound = refs.map((ref, j) => {
      if (!Array.isArray(ref) || typeof ref[0] !== 'string') bad(file, `layer "${name}" inbound reference ${j} is malformed: ${JSON.stringify(ref)?.slice(0, 80)}.`);
      if (ref[1] !== 0 || ref[2] !== 0) bad(file, `layer "${name}" reads node ${ref[1]}, tensor ${ref[2]} of "${ref[0]}"; only node 0, tensor 0 exists.`, { expected: '[name, 0, 0]', found: ref });
      return ref[0] as string;
    });
    return { name, cls: String(l.class_name), config: l.config, inbound };
  });
  return { name: modelName, layers, input: ios('input_layers'), output: ios('output_layers') };
}

/** Kahn's algorithm: the layers in an order where every input comes first; refuses cycles. */
function topoOrder(file: string, layers: KerasLayer[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const indeg = new Map(layers.map((l) => [l.name, l.inbound.length]));
  const readers = new Map<string, string[]>(layers.map((l) => [l.name, []]));
  for (const l of layers) for (const i of l.inbound) readers.get(i)!.push(l.name);
  const queue = layers.filter((l) => l.inbound.length === 0).map((l) => l.name);
  const order: KerasLayer[] = [];
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
    bad(
      file,
      `the layer graph has a cycle through ${stuck
        .slice(0, 5)
        .map((s) => `"${s}"`)
        .join(', ')}.`,
      { layers: stuck },
    );
  }
  return order;
}

interface Inferred {
  shape: number[];
  /** Weight suffix (as tfjs names it) and shape, in Keras' order. */
  weights: Array<[string, number[]]>;
  /** The canonical config tfjs is given. */
  config: Obj;
}

/** Output shape (no batch axis), weights and canonical config of one layer. */
function inferLayer(file: string, l: KerasLayer, ins: number[][], caps: ValidationCaps): Inferred {
  const c = l.config;
  const name = l.name;
  const where = `layer "${name}" (${l.cls})`;
  const x = ins[0];
  const need4 = () => {
    if (!x || x.length !== 3) bad(file, `${where} needs an image input [h, w, c]; it receives [${x?.join(', ')}].`, { layer: name });
  };
  const act = (): string => {
    const a = c.activation ?? 'linear';
    if (typeof a !== 'string' || !ACTIVATIONS.has(a)) bad(file, `${where} uses the activation ${JSON.stringify(a)}, which the studio does not support.`, { layer: name });
    return a;
  };
  const channelsLast = () => {
    if (c.data_format != null && c.data_format !== 'channels_last') bad(file, `${where} uses data_format ${JSON.stringify(c.data_format)}; only channels_last is supported.`, { layer: name, found: c.data_format });
  };
  const paddingOf = (): 'same' | 'valid' => {
    const padding = c.padding ?? 'valid';
    if (padding !== 'same' && padding !== 'valid') bad(file, `${where} padding must be "same" or "valid"; found ${JSON.stringify(padding)}.`, { layer: name });
    return padding;
  };
  const useBias = c.use_bias !== false;
  switch (l.cls) {
    case 'InputLayer': {
      const s = c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape;
      if (!Array.isArray(s) || s.length !== 4) bad(file, `${where}: the input must be an image batch [null, h, w, c]; found ${JSON.stringify(s)}.`, { layer: name, found: s });
      const shape = [intIn(file, `${where} height`, s[1], 1, caps.maxDim), intIn(file, `${where} width`, s[2], 1, caps.maxDim), intIn(file, `${where} channels`, s[3], 1, caps.maxChannels)];
      return { shape, weights: [], config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name } };
    }
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      need4();
      channelsLast();
      const activation = act();
      const [kh, kw] = pairOf(file, `${where} kernel_size`, c.kernel_size, 1, caps.maxKernel);
      const [sh, sw] = pairOf(file, `${where} strides`, c.strides ?? 1, 1, caps.maxKernel);
      const dil = pairOf(file, `${where} dilation_rate`, c.dilation_rate ?? 1, 1, 64);
      if (dil[0] !== 1 || dil[1] !== 1) bad(file, `${where} is dilated; dilated convolutions are not supported.`, { layer: name });
      if (c.groups !== undefined && c.groups !== 1)
        bad(file, `${where} is a grouped convolution (groups ${JSON.stringify(c.groups)}); only groups 1 is supported (use DepthwiseConv2D for one group per channel).`, { layer: name, found: c.groups });
      const padding = paddingOf();
      const mult = l.cls === 'DepthwiseConv2D' ? intIn(file, `${where} depth_multiplier`, c.depth_multiplier ?? 1, 1, 64) : 1;
      const out = l.cls === 'Conv2D' ? intIn(file, `${where} filters`, c.filters, 1, caps.maxChannels) : x[2] * mult;
      if (out > caps.maxChannels) bad(file, `${where} would output ${out} channels; at most ${caps.maxChannels}.`, { layer: name });
      const h = convOut(x[0], kh, sh, padding);
      const w = convOut(x[1], kw, sw, padding);
      if (h < 1 || w < 1) bad(file, `${where} with a ${kh}x${kw} kernel does not fit its ${x[0]}x${x[1]} input.`, { layer: name });
      const kernel: [string, number[]] = l.cls === 'Conv2D' ? ['kernel', [kh, kw, x[2], out]] : ['depthwise_kernel', [kh, kw, x[2], mult]];
      const common = { name, kernel_size: [kh, kw], strides: [sh, sw], padding, data_format: 'channels_last', dilation_rate: [1, 1], activation, use_bias: useBias };
      const config = l.cls === 'Conv2D' ? { ...common, filters: out } : { ...common, depth_multiplier: mult };
      return { shape: [h, w, out], weights: useBias ? [kernel, ['bias', [out]]] : [kernel], config };
    }
    case 'Dense': {
      const activation = act();
      if (!x || x.length !== 1) bad(file, `${where} needs a flat input; it receives [${x?.join(', ')}] (add Flatten or GlobalAveragePooling2D before it).`, { layer: name });
      const units = intIn(file, `${where} units`, c.units, 1, caps.maxChannels * 16);
      return {
        shape: [units],
        weights: useBias
          ? [
              ['kernel', [x[0], units]],
              ['bias', [units]],
            ]
          : [['kernel', [x[0], units]]],
        config: { name, units, activation, use_bias: useBias },
      };
    }
    case 'BatchNormalization': {
      const ch = x[x.length - 1];
      const axis = c.axis ?? -1;
      if (!(axis === -1 || axis === x.length || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === x.length))))
        bad(file, `${where} normalises axis ${JSON.stringify(axis)}; only the channel axis is supported.`, { layer: name });
      const epsilon = c.epsilon ?? 1e-3;
      const momentum = c.momentum ?? 0.99;
      if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) bad(file, `${where} epsilon must be a positive number; found ${JSON.stringify(epsilon)}.`, { layer: name });
      if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) bad(file, `${where} momentum must be from 0 to 1; found ${JSON.stringify(momentum)}.`, { layer: name });
      const w: Array<[string, number[]]> = [];
      if (c.scale !== false) w.push(['gamma', [ch]]);
      if (c.center !== false) w.push(['beta', [ch]]);
      w.push(['moving_mean', [ch]], ['moving_variance', [ch]]);
      return { shape: [...x], weights: w, config: { name, axis: -1, momentum, epsilon, center: c.center !== false, scale: c.scale !== false } };
    }
    case 'Activation':
      return { shape: [...x], weights: [], config: { name, activation: act() } };
    case 'ReLU': {
      const max = c.max_value ?? null;
      if (max !== null && max !== 6) bad(file, `${where} has max_value ${JSON.stringify(max)}; only none (ReLU) or 6 (ReLU6) is supported.`, { layer: name, found: max });
      if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) bad(file, `${where} has a negative_slope or threshold; only a plain ReLU is supported.`, { layer: name });
      return { shape: [...x], weights: [], config: max === 6 ? { name, max_value: 6 } : { name } };
    }
    case 'Dropout':
      return { shape: [...x], weights: [], config: { name, rate: typeof c.rate === 'number' && c.rate >= 0 && c.rate < 1 ? c.rate : 0 } };
    case 'Add': {
      if (ins.length < 2) bad(file, `${where} needs at least two inputs; found ${ins.length}.`, { layer: name });
      for (const s of ins) if (s.join() !== x.join()) bad(file, `${where} adds tensors of shapes [${x.join(', ')}] and [${s.join(', ')}].`, { layer: name });
      return { shape: [...x], weights: [], config: { name } };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      need4();
      channelsLast();
      const [ph, pw] = pairOf(file, `${where} pool_size`, c.pool_size ?? 2, 1, caps.maxKernel);
      const [sh, sw] = pairOf(file, `${where} strides`, c.strides ?? c.pool_size ?? 2, 1, caps.maxKernel);
      const padding = paddingOf();
      const h = convOut(x[0], ph, sh, padding);
      const w = convOut(x[1], pw, sw, padding);
      if (h < 1 || w < 1) bad(file, `${where} with a ${ph}x${pw} pool does not fit its ${x[0]}x${x[1]} input.`, { layer: name });
      return { shape: [h, w, x[2]], weights: [], config: { name, pool_size: [ph, pw], strides: [sh, sw], padding, data_format: 'channels_last' } };
    }
    case 'GlobalAveragePooling2D':
      need4();
      channelsLast();
      if (c.keepdims === true) bad(file, `${where} keeps its spatial dimensions (keepdims true); only the flat form is supported.`, { layer: name });
      return { shape: [x[2]], weights: [], config: { name, data_format: 'channels_last' } };
    case 'Flatten':
      channelsLast();
      return { shape: [x.reduce((a, b) => a * b, 1)], weights: [], config: { name } };
    default:
      throw new StudioError('bad-model', `${file}: unsupported layer "${name}" of class ${l.cls}. The studio supports ${SUPPORTED_LAYERS.join(', ')}; no custom or Lambda layer is ever evaluated.`, {
        fileName: file,
        layer: name,
        className: l.cls,
      });
  }
}

export interface InferredModel {
  /** Expected weights, `<layer>/<suffix>` -> shape, in layer order and Keras' order within a layer. */
  expected: Map<string, number[]>;
  inputShape: [number, number, number];
  outputUnits: number;
  params: number;
  /** The canonical functional topology handed to tfjs. */
  topology: Obj;
}

/** Checks a read topology (names, references, supported classes, one input, shapes, caps). */
export function inferModel(file: string, topo: KerasTopology, caps: ValidationCaps = DEFAULT_CAPS): InferredModel {
  const { layers, input, output } = topo;
  if (layers.length > caps.maxLayers) bad(file, `${layers.length} layers; at most ${caps.maxLayers} are accepted.`);
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) bad(file, `two layers are named "${l.name}".`, { layer: l.name });
    names.add(l.name);
  }
  for (const l of layers) for (const i of l.inbound) if (!names.has(i)) bad(file, `layer "${l.name}" reads from "${i}", which is not a layer of this model.`, { layer: l.name, found: i });
  for (const l of layers) if (!SUPPORTED.has(l.cls)) inferLayer(file, l, [], caps); // throws the named error
  if (!names.has(input) || layers.find((l) => l.name === input)!.cls !== 'InputLayer') bad(file, `input_layers names "${input}", which is not an InputLayer.`);
  if (!names.has(output)) bad(file, `output_layers names "${output}", which is not a layer of this model.`);
  const inputs = layers.filter((l) => l.cls === 'InputLayer');
  if (inputs.length !== 1) bad(file, `the studio needs one input layer; found ${inputs.length}.`, { expected: 1, found: inputs.length });
  for (const l of layers) if (l.cls !== 'InputLayer' && l.inbound.length === 0) bad(file, `layer "${l.name}" has no input.`, { layer: l.name });

  const order = topoOrder(file, layers);
  const shapes = new Map<string, number[]>();
  const expected = new Map<string, number[]>();
  const canonical: Obj[] = [];
  let params = 0;
  for (const l of order) {
    const { shape, weights, config } = inferLayer(
      file,
      l,
      l.inbound.map((i) => shapes.get(i)!),
      caps,
    );
    shapes.set(l.name, shape);
    for (const [suffix, s] of weights) {
      expected.set(`${l.name}/${suffix}`, s);
      params += s.reduce((a, b) => a * b, 1);
    }
    if (params > caps.maxParams) bad(file, `the model needs more than ${caps.maxParams} parameters.`, { expected: caps.maxParams });
    canonical.push({ class_name: l.cls, name: l.name, config, inbound_nodes: l.inbound.length ? [l.inbound.map((i) => [i, 0, 0, {}])] : [] });
  }
  const outShape = shapes.get(output)!;
  if (outShape.length !== 1) bad(file, `the output must be a vector of class scores; layer "${output}" outputs [${outShape.join(', ')}].`);
  const topology = { class_name: 'Model', config: { name: topo.name, layers: canonical, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]] }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' };
  return { expected, inputShape: shapes.get(input)! as [number, number, number], outputUnits: outShape[0], params, topology };
}
