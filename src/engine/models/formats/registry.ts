/**
 * The model formats a user can bring, netron-style: one module per format, each with a cheap
 * `match` on the file's bytes (never its name) and a full `open` that returns the canonical
 * validated model (validate/layers-model.ts) every job loads. Formats read into the engine's Graph
 * (ONNX, TFLite) pass through graph/to-keras.ts and the same validator as a Keras upload, so the
 * caps, shape checks and finite-weight checks hold for every format. Order matters only for
 * `match`: binary signatures first, the signature-less ONNX last.
 */
import { StudioError } from '../../errors';
import { kerasFromGraph } from '../../graph/to-keras';
import type { Graph } from '../../graph/ir';
import { validatedFromWeights, validateLayersModel, type ValidatedLayersModel } from '../../validate/layers-model';
import { DEFAULT_CAPS, type ValidationCaps } from '../../validate/keras-topology';
import { MODEL_FORMAT_LABELS as L, type ModelFormatId } from '../../choices/model-formats';
import { isHdf5 } from './hdf5';
import { looksLikeKerasZip, openKerasArchive, openKerasH5, ZIP_SIGNATURE } from './keras';
import { graphFromOnnx, looksLikeOnnx } from './onnx';
import { graphFromTflite, looksLikeTflite } from './tflite';

export type { ModelFormatId } from '../../choices/model-formats';

export interface ModelFormat {
  id: ModelFormatId;
  label: string;
  /** Cheap: whether the bytes are this format (signature, first bytes). */
  match(bytes: Uint8Array): boolean;
  /** The model as the canonical validated LayersModel. `others`: the other files (tfjs shards). */
  open(bytes: Uint8Array, file: string, others: ReadonlyMap<string, Uint8Array>, caps: ValidationCaps): ValidatedLayersModel;
}

/** A Graph made by an importer, checked and made canonical like any Keras upload. */
function fromGraph(g: Graph, file: string, caps: ValidationCaps): ValidatedLayersModel {
  const { topology, weights } = kerasFromGraph(g);
  return validatedFromWeights(file, topology, weights, caps);
}

const firstNonSpace = (b: Uint8Array) => b.find((x) => x !== 0x20 && x !== 0x0a && x !== 0x0d && x !== 0x09 && x !== 0xef && x !== 0xbb && x !== 0xbf);

const READERS = [
  { id: 'keras', label: L['keras'], match: looksLikeKerasZip, open: (b, f, _o, caps) => openKerasArchive(b, f, caps) },
  { id: 'keras-h5', label: L['keras-h5'], match: isHdf5, open: (b, f, _o, caps) => openKerasH5(b, f, caps) },
  { id: 'tflite', label: L['tflite'], match: looksLikeTflite, open: (b, f, _o, caps) => fromGraph(graphFromTflite(b, f), f, caps) },
  { id: 'tfjs-layers', label: L['tfjs-layers'], match: (b) => firstNonSpace(b) === 0x7b, open: (b, f, others, caps) => validateLayersModel(b, f, others, caps) },
  { id: 'onnx', label: L['onnx'], match: looksLikeOnnx, open: (b, f, _o, caps) => fromGraph(graphFromOnnx(b, f), f, caps) },
] as const satisfies readonly ModelFormat[];

// The ids and labels are choices/model-formats.ts's (the page reads them without loading a reader);
// a format there without a reader here fails to compile on this line, naming it.
type Unread = Exclude<ModelFormatId, (typeof READERS)[number]['id']>;
const everyFormatHasAReader: [Unread] extends [never] ? true : Unread = true;
void everyFormatHasAReader;

export const MODEL_FORMATS: readonly ModelFormat[] = READERS;

export function formatById(id: ModelFormatId): ModelFormat {
  return MODEL_FORMATS.find((f) => f.id === id)!;
}

/** The format of a file from its bytes, or undefined. */
export function detectFormat(bytes: Uint8Array): ModelFormat | undefined {
  return MODEL_FORMATS.find((f) => f.match(bytes));
}

/** Names what a file is when no format matches (a zip that is not a .keras, a SavedModel...). */
export function unknownFormatMessage(file: string, bytes: Uint8Array): string {
  const zip = bytes.length >= 4 && ZIP_SIGNATURE.every((x, i) => bytes[i] === x);
  const what = zip ? 'a zip archive without config.json (not a .keras file)' : bytes.length === 0 ? 'empty' : 'not a model file the studio knows';
  return `${file} is ${what}. The studio reads a tfjs model.json with its weights, Keras .keras and .h5 files, float .tflite files and ONNX files.`;
}

export function openModelFile(bytes: Uint8Array, file: string, others: ReadonlyMap<string, Uint8Array> = new Map(), caps: ValidationCaps = DEFAULT_CAPS): { format: ModelFormat; model: ValidatedLayersModel } {
  const format = detectFormat(bytes);
  if (!format) throw new StudioError('bad-model', unknownFormatMessage(file, bytes), { fileName: file });
  return { format, model: format.open(bytes, file, others, caps) };
}
