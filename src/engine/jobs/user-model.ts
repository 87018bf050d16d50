/**
 * A user's own model (uploaded model.json + weight files, or a model trained in the studio) as a
 * BaselineEntry plus a reader that serves its files, so the compress and evaluate jobs take it
 * exactly like a shipped baseline. Everything is checked here before tfjs sees a byte:
 *   1. the files: plain, distinct names, exactly one .json among them;
 *   2. the model: validate/layers-model.ts (JSON, topology, supported layers, shapes, manifest,
 *      bytes per shard, finite weights);
 *   3. the dataset: the model's input must be the dataset's image shape and its output one score
 *      per class;
 *   4. what the compression graph (graph/from-layers.ts) accepts beyond the validator: the
 *      activations it can fuse and quantize, and BatchNormalization with centre and scale.
 * Each refusal is a user error naming the file (and the layer), what was expected and what was
 * found. Inputs are preprocessed as the dataset's own baselines are (registry.ts).
 */
import { getDataset } from '../data/registry';
import type { ReadFile } from '../data/load';
import { StudioError } from '../errors';
import { layerKindOfKerasClass, type LayerKind } from '../choices/prune';
import type { BaselineEntry, DatasetId, InputShape } from '../types';
import { validateLayersModel, type ValidatedLayersModel } from '../validate/layers-model';
import { safeParseJson } from '../validate/safe-json';

export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

export interface UserModelSpec {
  /** Stable id the studio gives the model (not the file name, which the user controls). */
  id: string;
  dataset: DatasetId;
  files: ModelFile[];
}

export interface UserModelSummary {
  id: string;
  dataset: DatasetId;
  modelJsonName: string;
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

/** Activations graph/from-layers.ts turns into graph ops (the validator accepts more). */
const GRAPH_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'softmax']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(file: string, message: string, context: Obj = {}, code: 'bad-model' | 'shape-mismatch' = 'bad-model'): never {
  throw new StudioError(code, `${file}: ${message}`, { fileName: file, ...context });
}

/** The model.json among the files, and the rest by name. */
function sortFiles(files: ModelFile[]): { json: ModelFile; weights: Map<string, Uint8Array> } {
  if (files.length === 0) throw new StudioError('bad-model', 'No files were given: choose a model.json and its weight files together.');
  const names = new Set<string>();
  for (const f of files) {
    if (typeof f.name !== 'string' || f.name.length === 0 || f.name.length > 255 || /[\\/]|^\.\.?$/.test(f.name)) {
      throw new StudioError('bad-model', `"${String(f.name).slice(0, 80)}" is not a plain file name.`, { fileName: f.name });
    }
    if (names.has(f.name)) throw new StudioError('bad-model', `The file "${f.name}" was given twice.`, { fileName: f.name });
    names.add(f.name);
  }
  const jsons = files.filter((f) => /\.json$/i.test(f.name));
  if (jsons.length === 0) {
    throw new StudioError('bad-model', `No model.json among the files (${files.map((f) => f.name).join(', ')}): choose the model.json and its weight files together.`, { found: files.map((f) => f.name) });
  }
  if (jsons.length > 1) {
    throw new StudioError('bad-model', `Choose one model at a time: found ${jsons.length} JSON files (${jsons.map((f) => f.name).join(', ')}).`, { found: jsons.map((f) => f.name) });
  }
  const weights = new Map(files.filter((f) => f !== jsons[0]).map((f) => [f.name, f.bytes] as const));
  return { json: jsons[0], weights };
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
  const { json, weights } = sortFiles(spec.files);
  const v = validateLayersModel(json.bytes, json.name, weights);
  const [h, w, c] = v.inputShape;
  if (h !== d.shape[0] || w !== d.shape[1] || c !== d.shape[2]) {
    refuse(json.name, `the model takes ${h}x${w}x${c} images, but ${d.label} images are ${d.shape.join('x')}. Choose the dataset the model was trained on.`, { expected: d.shape, found: v.inputShape }, 'shape-mismatch');
  }
  if (v.outputUnits !== d.numClasses) {
    refuse(json.name, `the model outputs ${v.outputUnits} class scores, but ${d.label} has ${d.numClasses} classes.`, { expected: d.numClasses, found: v.outputUnits }, 'shape-mismatch');
  }
  const layers = checkCompressible(json.name, v);
  const listed = manifestPaths(json);
  const params = v.weightSpecs.reduce((a, s) => a + s.shape.reduce((p, x) => p * x, 1), 0);
  const dir = `${USER_MODEL_ROOT}/${spec.id}`;
  const entry: BaselineEntry = {
    id: spec.id,
    family: 'uploaded',
    dataset: d.id,
    inputShape: d.shape,
    numClasses: d.numClasses,
    preprocessing: d.preprocessing,
    path: `${dir}/${json.name}`,
    params,
    macs: 0,
    sizeBytes: params * 4,
    testAccuracy: Number.NaN,
    testData: { split: 'test', first: d.headlineTest.first, count: d.headlineTest.count, exact: true, note: `${d.label} test records ${d.headlineTest.first}–${d.headlineTest.first + d.headlineTest.count - 1}` },
    training: { source: 'user model' },
    referenceLogitsPath: '',
  };
  const served = new Map<string, Uint8Array>([[json.name, json.bytes], ...weights]);
  const read: ReadFile = async (path) => {
    if (!path.startsWith(`${dir}/`)) return fallback(path);
    const bytes = served.get(path.slice(dir.length + 1));
    if (!bytes) throw new StudioError('bad-model', `${json.name}: the file "${path.slice(dir.length + 1)}" was not supplied.`, { fileName: path });
    return bytes;
  };
  return {
    entry,
    read,
    summary: {
      id: spec.id,
      dataset: d.id,
      modelJsonName: json.name,
      inputShape: v.inputShape,
      outputUnits: v.outputUnits,
      layerCount: v.layerCount,
      params,
      weightBytes: v.weightData.byteLength,
      layers,
      unusedFiles: [...weights.keys()].filter((n) => !listed.has(n)),
    },
  };
}

/** The weight file names the manifest lists (the validator has checked the file). */
function manifestPaths(json: ModelFile): Set<string> {
  const parsed = safeParseJson(json.bytes, json.name) as { weightsManifest?: Array<{ paths?: unknown[] }> };
  return new Set((parsed.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : [])));
}
