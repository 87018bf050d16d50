/**
 * Validates a tfjs LayersModel (model.json + weight files) before anything is allocated or handed
 * to tfjs, whose loader trusts its input: some malformed files make it spin, and many invalid ones
 * load silently (swapped or duplicate shards, wrong shapes, NaN weights), after which every figure
 * is wrong. Checks, in order:
 *   1. model.json: size, UTF-8, nesting depth, no prototype keys (safe-json.ts);
 *   2. structure: a functional or sequential Keras topology with one input and one output, as
 *      any writer lays it out (keras-topology.ts: tfjs saves, the Python converter's nesting,
 *      Keras 3); graph models are named as such;
 *   3. layers: names unique, classes the engine supports (anything else, e.g. Lambda, is refused
 *      by name and never evaluated), every inbound reference resolves, no cycles;
 *   4. shapes: each layer's output shape inferred from its config, with caps on every dimension,
 *      so the weights each layer needs are known exactly;
 *   5. manifest: weight paths name only files the user supplied, inside the model's folder
 *      (weight-paths.ts: `./x`, sub-folders and base names of loose files; no URLs, absolute
 *      paths or `..` out of the folder), each file used once; every expected weight present
 *      exactly once with its shape and a valid dtype/quantization; bytes implied per group equal
 *      the bytes received;
 *   6. values: float weights finite.
 * Each refusal names the file, what was expected and what was found. What passes is canonical:
 * the topology keras-topology.ts writes and the weight names tfjs gives its variables.
 */
import { bad, DEFAULT_CAPS, GRAPH_MODEL_MESSAGE, inferModel, isObj, kerasModelConfig, readKerasTopology, type KerasTopology, type ValidationCaps } from './keras-topology';
import { safeParseJson } from './safe-json';
import { findWeightFile, resolveWeightPath } from './weight-paths';

export { DEFAULT_CAPS, type ValidationCaps } from './keras-topology';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface ValidatedLayersModel {
  /** The canonical topology (keras-topology.ts): the only topology tfjs is given. */
  modelTopology: Record<string, unknown>;
  /** Manifest entries under the names tfjs gives the canonical layers' variables. */
  weightSpecs: WeightSpec[];
  /** All weight bytes in manifest order, as tfjs' fromMemory expects. */
  weightData: ArrayBuffer;
  inputShape: [number, number, number];
  outputUnits: number;
  layerCount: number;
  /** The supplied files the manifest used. */
  usedFiles: string[];
}

const BYTES: Record<string, number> = { float32: 4, uint8: 1, uint16: 2, float16: 2 };

/**
 * The expected weight a manifest name means. Besides the exact `<layer>/<variable>`, writers
 * prefix the model's name (Keras 3 exports: `sequential/conv2d/kernel`, which stock tfjs fails on
 * with "Provided weight data has no target variable"), and Keras 3 calls a depthwise kernel
 * `kernel`; whole leading segments are dropped until a name matches.
 */
function expectedName(name: string, expected: ReadonlyMap<string, number[]>): string | undefined {
  const segs = name.split('/');
  for (let i = 0; i < segs.length - 1; i++) {
    const n = segs.slice(i).join('/');
    if (expected.has(n)) return n;
    if (n.endsWith('/kernel') && expected.has(`${n.slice(0, -'kernel'.length)}depthwise_kernel`)) return `${n.slice(0, -'kernel'.length)}depthwise_kernel`;
  }
  return undefined;
}

export function validateLayersModel(modelJson: Uint8Array, fileName: string, supplied: ReadonlyMap<string, Uint8Array>, caps: ValidationCaps = DEFAULT_CAPS): ValidatedLayersModel {
  const json = safeParseJson(modelJson, fileName);
  if (!isObj(json)) bad(fileName, 'the top level must be a JSON object.');
  if (json.format === 'graph-model') bad(fileName, GRAPH_MODEL_MESSAGE, { found: 'graph-model' });
  if (!isObj(json.modelTopology)) bad(fileName, 'modelTopology is missing: this is not a tfjs LayersModel (a Keras .h5 or .keras file can be uploaded as it is).');
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) bad(fileName, 'weightsManifest is missing or not a list.');
  const topo = readKerasTopology(fileName, kerasModelConfig(fileName, json.modelTopology));
  const { expected, inputShape, outputUnits, topology } = inferModel(fileName, topo, caps);

  // The manifest: paths, entries, bytes.
  const used = new Set<string>();
  const seen = new Set<string>();
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  let totalBytes = 0;
  manifest.forEach((group: unknown, gi: number) => {
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) bad(fileName, `weightsManifest[${gi}] needs "paths" and "weights" lists.`);
    const files = group.paths.map((p) => findWeightFile(fileName, p as string, resolveWeightPath(fileName, p), supplied));
    for (const f of files) {
      if (used.has(f)) bad(fileName, `the weights file "${f}" is listed twice.`, { found: f });
      used.add(f);
    }
    let groupBytes = 0;
    for (const [wi, e] of (group.weights as unknown[]).entries()) {
      if (!isObj(e) || typeof e.name !== 'string' || !Array.isArray(e.shape)) bad(fileName, `weightsManifest[${gi}].weights[${wi}] needs a name and a shape.`);
      const name = expectedName(e.name, expected);
      if (!name) bad(fileName, `the weight "${e.name}" belongs to no layer of this model (expected names like "${[...expected.keys()][0]}").`, { found: e.name });
      const want = expected.get(name)!;
      if (seen.has(name)) bad(fileName, `the weight "${e.name}" is listed twice.`, { found: e.name });
      seen.add(name);
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
      specs.push(q === undefined ? { name, shape: want, dtype: 'float32' } : { name, shape: want, dtype: 'float32', quantization: q as WeightSpec['quantization'] });
    }
    const sizes = files.map((f) => supplied.get(f)!.length);
    // tensorflowjs_converter cuts a group into equal shards with a smaller (or equal) last one, so
    // any other pattern means shards are missing, duplicated or supplied in the wrong order.
    if (sizes.length > 1 && (sizes.slice(0, -1).some((n) => n !== sizes[0]) || sizes[sizes.length - 1] > sizes[0] || sizes.some((n) => n === 0))) {
      bad(fileName, `the shards of weight group ${gi} (${files.join(', ')}) have sizes [${sizes.join(', ')}]; tensorflowjs_converter writes equal shards with a smaller last one, so shards are missing, duplicated or out of order.`, {
        found: sizes,
      });
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
  checkValues(fileName, specs, weightData);
  return { modelTopology: topology, weightSpecs: specs, weightData: weightData.buffer, inputShape, outputUnits, layerCount: topo.layers.length, usedFiles: [...used] };
}

/** Float32 values must be finite (a NaN weight silently makes every prediction class 0), variances >= 0. */
function checkValues(fileName: string, specs: WeightSpec[], weightData: Uint8Array): void {
  let at = 0;
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
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
}

/**
 * A model whose weights arrive as named float arrays rather than a manifest (Keras .keras/.h5
 * files, graphs imported from ONNX or TFLite): checked exactly as a tfjs upload (topology, shapes,
 * every expected weight present once with its shape, finite values) and returned in the same
 * canonical form. `weights` maps `<layer>/<variable>` to its values.
 */
export function validatedFromWeights(fileName: string, topo: KerasTopology, weights: ReadonlyMap<string, { shape: number[]; values: Float32Array }>, caps: ValidationCaps = DEFAULT_CAPS): ValidatedLayersModel {
  const { expected, inputShape, outputUnits, topology } = inferModel(fileName, topo, caps);
  for (const name of weights.keys()) if (!expected.has(name)) bad(fileName, `the weight "${name}" belongs to no layer of this model.`, { found: name });
  const specs: WeightSpec[] = [];
  let total = 0;
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (!w) bad(fileName, `the weight "${name}" is missing.`, { expected: name });
    if (w.shape.join() !== shape.join() || w.values.length !== shape.reduce((a, b) => a * b, 1))
      bad(fileName, `the weight "${name}" has shape [${w.shape.join(', ')}]; its layer needs [${shape.join(', ')}].`, { expected: shape, found: w.shape });
    specs.push({ name, shape, dtype: 'float32' });
    total += 4 * w.values.length;
    if (total > caps.maxWeightBytes) bad(fileName, `the weights exceed ${caps.maxWeightBytes} bytes.`);
  }
  const data = new Float32Array(total / 4);
  let at = 0;
  for (const s of specs) {
    const v = weights.get(s.name)!.values;
    data.set(v, at);
    at += v.length;
  }
  const bytes = new Uint8Array(data.buffer);
  checkValues(fileName, specs, bytes);
  return { modelTopology: topology, weightSpecs: specs, weightData: data.buffer, inputShape, outputUnits, layerCount: topo.layers.length, usedFiles: [] };
}
