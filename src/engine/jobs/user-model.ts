/**
 * A user's own model (an upload in any format models/formats/ reads, or a model trained in the studio) as a
 * BaselineEntry plus a reader that serves its files, so the compress and evaluate jobs take it
 * exactly like a shipped baseline. Everything is checked here before tfjs sees a byte:
 *   1. the files: distinct relative paths (a dropped folder keeps its structure; no "..", no
 *      absolute paths), one model .json among them;
 *   2. the model: its format's reader (detected from the bytes), which ends in the validator
 *      (validate/layers-model.ts: topology, supported layers, shapes, weights, finite values);
 *   3. the dataset: the model's input must be the dataset's image shape and its output one score
 *      per class;
 *   4. what the compression graph (graph/from-layers.ts) accepts beyond the validator: the
 *      activations it can fuse and quantize, and BatchNormalization with centre and scale.
 * Each refusal is a user error naming the file (and the layer), what was expected and what was
 * found. Inputs are preprocessed as the user said (spec.preprocessing), else as the dataset's own
 * baselines are (registry.ts).
 */
import { getDataset } from '../data/registry';
import type { ReadFile } from '../data/load';
import { StudioError } from '../errors';
import { layerKindOfKerasClass, type LayerKind } from '../choices/prune';
import type { BaselineEntry, DatasetId, InputShape, Preprocessing } from '../types';
import { detectFormat, formatById, unknownFormatMessage, type ModelFormat, type ModelFormatId } from '../models/formats/registry';
import { DEFAULT_CAPS } from '../validate/keras-topology';
import type { ValidatedLayersModel } from '../validate/layers-model';
import { baseName, checkSuppliedPath } from '../validate/weight-paths';

export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

export interface UserModelSpec {
  /** Stable id the studio gives the model (not the file name, which the user controls). */
  id: string;
  dataset: DatasetId;
  files: ModelFile[];
  /** How the model's inputs are scaled; the dataset's own baselines' scaling when absent. */
  preprocessing?: Preprocessing;
}

export interface UserModelSummary {
  id: string;
  dataset: DatasetId;
  /** The model file's base name (the model.json for a tfjs model). */
  modelJsonName: string;
  /** The format read from the bytes (models/formats/registry.ts). */
  format: ModelFormatId;
  inputShape: InputShape;
  outputUnits: number;
  layerCount: number;
  /** Weights in the manifest, all of them (BatchNorm statistics included). */
  params: number;
  weightBytes: number;
  /** Prunable layers, for per-layer overrides. */
  layers: Array<{ name: string; kind: LayerKind }>;
  /** Supplied files the manifest does not use (ignored). */
  unusedFiles: string[];
}

export interface UserModel {
  entry: BaselineEntry;
  /** Serves the model's files under entry.path's folder; anything else goes to `fallback`. */
  read: ReadFile;
  summary: UserModelSummary;
}

/** The folder name user models are served under (never fetched: `read` answers it). */
export const USER_MODEL_ROOT = 'user-models';
/** No single supplied file may be larger (the weights cap plus room for a container's overhead). */
const MAX_FILE_BYTES = DEFAULT_CAPS.maxWeightBytes + 64 * 1024 * 1024;
/** The canonical files a user model is served as, whatever format it came in. */
const CANONICAL_JSON = 'model.json';
const CANONICAL_WEIGHTS = 'weights.bin';

/** Activations graph/from-layers.ts turns into graph ops (the validator accepts more). */
const GRAPH_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'softmax']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(file: string, message: string, context: Obj = {}, code: 'bad-model' | 'shape-mismatch' = 'bad-model'): never {
  throw new StudioError(code, `${file}: ${message}`, { fileName: file, ...context });
}

/**
 * The model among the files, by content (never by name): a single-file model (.keras, .h5,
 * .tflite, .onnx, told apart by their bytes, models/formats/registry.ts), or a tfjs model.json
 * with the rest as its weight files by relative path (a dropped folder keeps its structure).
 * Several JSON files are told apart by content: the one with a weights manifest (Teachable
 * Machine exports, for one, add a metadata.json).
 */
function pickModel(files: ModelFile[]): { main: ModelFile; format: ModelFormat; others: Map<string, Uint8Array> } {
  if (files.length === 0) throw new StudioError('bad-model', 'No files were given: choose a model file (or a model.json and its weight files together).');
  const names = new Set<string>();
  for (const f of files) {
    const why = checkSuppliedPath(f.name);
    if (why) throw new StudioError('bad-model', `"${String(f.name).slice(0, 80)}" ${why}.`, { fileName: f.name });
    if (names.has(f.name)) throw new StudioError('bad-model', `The file "${f.name}" was given twice.`, { fileName: f.name });
    names.add(f.name);
    if (f.bytes.length > MAX_FILE_BYTES) throw new StudioError('size-mismatch', `${f.name} is ${f.bytes.length} bytes; files over ${MAX_FILE_BYTES} bytes are refused.`, { fileName: f.name, expected: MAX_FILE_BYTES, found: f.bytes.length });
  }
  const others = (main: ModelFile) => new Map(files.filter((f) => f !== main).map((f) => [f.name, f.bytes] as const));
  // By name, or a renamed model.json by content (a shard that happens to start with "{" is not).
  const allJsons = files.filter((f) => /\.json$/i.test(f.name) || (formatById('tfjs-layers').match(f.bytes.subarray(0, 64)) && containsAscii(f.bytes.subarray(0, 4096), '"modelTopology"')));
  if (allJsons.length === 0) {
    const single = files.map((f) => ({ f, format: detectFormat(f.bytes) })).filter((x) => x.format && x.format.id !== 'tfjs-layers');
    if (single.length === 1) return { main: single[0].f, format: single[0].format!, others: others(single[0].f) };
    if (single.length > 1) throw new StudioError('bad-model', `Choose one model at a time: found ${single.length} model files (${single.map((x) => `${x.f.name}: ${x.format!.label}`).join(', ')}).`, { found: single.map((x) => x.f.name) });
    if (files.length === 1) throw new StudioError('bad-model', `No model.json among the files (${files[0].name}), and ${unknownFormatMessage(files[0].name, files[0].bytes)}`, { fileName: files[0].name });
    throw new StudioError('bad-model', `No model.json among the files (${files.map((f) => f.name).join(', ')}), and no .keras, .h5, .tflite or .onnx model: choose the model.json and its weight files together, or one model file.`, {
      found: files.map((f) => f.name),
    });
  }
  const manifests = allJsons.filter((f) => containsAscii(f.bytes, '"weightsManifest"'));
  const jsons = allJsons.length > 1 && manifests.length === 1 ? manifests : allJsons;
  if (jsons.length > 1) {
    throw new StudioError('bad-model', `Choose one model at a time: found ${jsons.length} JSON files (${jsons.map((f) => f.name).join(', ')}).`, { found: jsons.map((f) => f.name) });
  }
  return { main: jsons[0], format: formatById('tfjs-layers'), others: others(jsons[0]) };
}

/** Whether bytes contain an ASCII string (a cheap look before any parsing; capped at 32 MiB). */
function containsAscii(bytes: Uint8Array, s: string): boolean {
  const n = Math.min(bytes.length, 32 * 1024 * 1024);
  const first = s.charCodeAt(0);
  outer: for (let i = 0; i + s.length <= n; i++) {
    if (bytes[i] !== first) continue;
    for (let k = 1; k < s.length; k++) if (bytes[i + k] !== s.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
}

/** The layer configs of a validated topology (functional or sequential). */
function topologyLayers(topology: Obj): Array<{ cls: string; config: Obj }> {
  const config = topology.config;
  const list = Array.isArray(config) ? config : isObj(config) && Array.isArray(config.layers) ? config.layers : [];
  return list.filter(isObj).map((l) => ({ cls: String(l.class_name), config: isObj(l.config) ? l.config : {} }));
}

function checkCompressible(file: string, v: ValidatedLayersModel): Array<{ name: string; kind: LayerKind }> {
  const prunable: Array<{ name: string; kind: LayerKind }> = [];
  for (const { cls, config } of topologyLayers(v.modelTopology)) {
    const name = String(config.name);
    const act = config.activation;
    if (act !== undefined && !GRAPH_ACTIVATIONS.has(String(act))) {
      refuse(file, `layer "${name}" (${cls}) uses the activation "${String(act)}", which the studio cannot compress; it supports ${[...GRAPH_ACTIVATIONS].join(', ')}.`, { layer: name, found: act });
    }
    if (cls === 'BatchNormalization' && (config.center === false || config.scale === false)) {
      refuse(file, `BatchNormalization layer "${name}" has no ${config.center === false ? 'centre (beta)' : 'scale (gamma)'}; the studio folds BatchNormalization with both.`, { layer: name });
    }
    const kind = layerKindOfKerasClass(cls);
    if (kind) prunable.push({ name, kind });
  }
  return prunable;
}

/** Validates a user's model for a dataset; throws the StudioError that names the problem. */
export function openUserModel(spec: UserModelSpec, fallback: ReadFile): UserModel {
  const d = getDataset(spec.dataset);
  if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(spec.id)) throw new StudioError('bad-model', `A model id must be lower-case letters, digits and dashes; found "${spec.id.slice(0, 80)}".`, { found: spec.id }, 'bug');
  const { main: json, format, others: weights } = pickModel(spec.files);
  const v = format.open(json.bytes, json.name, weights, DEFAULT_CAPS);
  const [h, w, c] = v.inputShape;
  if (h !== d.shape[0] || w !== d.shape[1] || c !== d.shape[2]) {
    refuse(json.name, `the model takes ${h}x${w}x${c} images, but ${d.label} images are ${d.shape.join('x')}. Choose the dataset the model was trained on.`, { expected: d.shape, found: v.inputShape }, 'shape-mismatch');
  }
  if (v.outputUnits !== d.numClasses) {
    refuse(json.name, `the model outputs ${v.outputUnits} class scores, but ${d.label} has ${d.numClasses} classes.`, { expected: d.numClasses, found: v.outputUnits }, 'shape-mismatch');
  }
  const layers = checkCompressible(json.name, v);
  const params = v.weightSpecs.reduce((a, s) => a + s.shape.reduce((p, x) => p * x, 1), 0);
  const dir = `${USER_MODEL_ROOT}/${spec.id}`;
  const entry: BaselineEntry = {
    id: spec.id,
    family: 'uploaded',
    dataset: d.id,
    inputShape: d.shape,
    numClasses: d.numClasses,
    preprocessing: spec.preprocessing ?? d.preprocessing,
    path: `${dir}/${CANONICAL_JSON}`,
    params,
    macs: 0,
    sizeBytes: params * 4,
    testAccuracy: Number.NaN,
    testData: { split: 'test', first: d.headlineTest.first, count: d.headlineTest.count, exact: true, note: `${d.label} test records ${d.headlineTest.first}–${d.headlineTest.first + d.headlineTest.count - 1}` },
    training: { source: 'user model' },
    referenceLogitsPath: '',
  };
  // The jobs load the canonical form the validator produced, never the user's own JSON, so tfjs
  // sees one topology layout and one weight naming whatever wrote the files.
  const canonical = JSON.stringify({
    format: 'layers-model',
    generatedBy: `compression-studio (canonical form of ${baseName(json.name)})`,
    convertedBy: null,
    modelTopology: v.modelTopology,
    weightsManifest: [{ paths: [CANONICAL_WEIGHTS], weights: v.weightSpecs }],
  });
  const served = new Map<string, Uint8Array>([
    [CANONICAL_JSON, new TextEncoder().encode(canonical)],
    [CANONICAL_WEIGHTS, new Uint8Array(v.weightData)],
  ]);
  const read: ReadFile = async (path) => {
    if (!path.startsWith(`${dir}/`)) return fallback(path);
    const bytes = served.get(path.slice(dir.length + 1));
    if (!bytes) throw new StudioError('bad-model', `${json.name}: the file "${path.slice(dir.length + 1)}" is not part of this model.`, { fileName: path });
    return bytes;
  };
  return {
    entry,
    read,
    summary: {
      id: spec.id,
      dataset: d.id,
      modelJsonName: baseName(json.name),
      format: format.id,
      inputShape: v.inputShape,
      outputUnits: v.outputUnits,
      layerCount: v.layerCount,
      params,
      weightBytes: v.weightData.byteLength,
      layers,
      unusedFiles: [...weights.keys()].filter((n) => !v.usedFiles.includes(n)),
    },
  };
}
