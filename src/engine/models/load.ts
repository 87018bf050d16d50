/**
 * Loads a tfjs LayersModel from bytes that the caller fetched (Worker) or read (Node), so the
 * same code serves both and the caller controls where files come from. Every model, shipped or
 * uploaded, passes validate/layers-model.ts before tfjs sees it.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../errors';
import { safeParseJson } from '../validate/safe-json';
import { validateLayersModel, type ValidatedLayersModel } from '../validate/layers-model';
import { resolveWeightPath } from '../validate/weight-paths';
import { checkFileDigest, type FileDigest } from './file-digests';

export type ReadModelFile = (path: string) => Promise<Uint8Array>;

export interface LoadedModel {
  model: tf.LayersModel;
  /** Bytes of all weight files. */
  weightBytes: number;
}

/** A validated model in tfjs (validation has already checked every byte and shape). */
export async function modelFromValidated(v: ValidatedLayersModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: v.modelTopology, weightSpecs: v.weightSpecs as tf.io.WeightsManifestEntry[], weightData: v.weightData }));
}

/**
 * `digests`: the recorded sha256 of every file in the model's folder (index.json `files`, shipped
 * baselines only); when given, each file read is checked before it is parsed.
 */
export async function loadLayersModel(modelJsonPath: string, read: ReadModelFile, digests?: readonly FileDigest[]): Promise<LoadedModel> {
  const dir = modelJsonPath.includes('/') ? modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1) : '';
  const readChecked = async (path: string): Promise<Uint8Array> => {
    const b = await read(path);
    if (digests) await checkFileDigest(digests, path.startsWith(dir) ? path.slice(dir.length) : path, path, b);
    return b;
  };
  const bytes = await readChecked(modelJsonPath);
  const json = safeParseJson(bytes, modelJsonPath) as { weightsManifest?: Array<{ paths?: unknown[] }> };
  const supplied = new Map<string, Uint8Array>();
  for (const group of Array.isArray(json?.weightsManifest) ? json.weightsManifest : []) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      // Only paths inside the model's folder are fetched; the validator names anything else.
      let path: string;
      try {
        path = resolveWeightPath(modelJsonPath, p);
      } catch {
        continue;
      }
      if (!supplied.has(path)) supplied.set(path, await readChecked(path));
    }
  }
  const v = validateLayersModel(bytes, modelJsonPath, supplied);
  try {
    return { model: await modelFromValidated(v), weightBytes: v.weightData.byteLength };
  } catch (e) {
    throw new StudioError('bad-model', `${modelJsonPath}: tfjs could not build the validated model (${(e as Error).message}).`, { fileName: modelJsonPath }, 'bug');
  }
}
