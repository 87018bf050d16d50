/**
 * Loads a tfjs LayersModel from bytes that the caller fetched (Worker) or read (Node), so the
 * same code serves both and the caller controls where files come from.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../errors';

export type ReadModelFile = (path: string) => Promise<Uint8Array>;

interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** Bytes of all weight files. */
  weightBytes: number;
}

export async function loadLayersModel(modelJsonPath: string, read: ReadModelFile): Promise<LoadedModel> {
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(await read(modelJsonPath))) as ModelJson;
  } catch (e) {
    throw new StudioError('bad-model', `${modelJsonPath}: not a valid model.json (${(e as Error).message}).`, { fileName: modelJsonPath });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new StudioError('bad-model', `${modelJsonPath}: not a tfjs LayersModel (missing modelTopology or weightsManifest).`, { fileName: modelJsonPath });
  }
  const dir = modelJsonPath.includes('/') ? modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1) : '';
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(await read(dir + p));
    specs.push(...group.weights);
  }
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const expected = specs.reduce((a, s) => a + s.shape.reduce((p, d) => p * d, 1) * 4, 0);
  if (total !== expected) {
    throw new StudioError('size-mismatch', `${modelJsonPath}: weight files hold ${total} bytes, the manifest needs ${expected}.`, { fileName: modelJsonPath, expected, found: total });
  }
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.length;
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: weightData.buffer }));
  return { model, weightBytes: total };
}
