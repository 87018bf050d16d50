/**
 * The deployable files of a compression run: the compressed model as full-integer int8 .tflite
 * (when quantized to int8) and as float32 .tflite (the same graph unquantized: int8's fair
 * comparison on one runtime), and the baseline as float32 .tflite, each with its summary and
 * tensor-arena plan; plus the predictions the run made, as references for a runtime check.
 */
import type { CompressedModels } from '../jobs/compress';
import { planArena, type ArenaPlan } from './mcu-fit';
import { exportFloat32Tflite, exportInt8Tflite, type TfliteArtifact } from './tflite/export';
import type { TfliteIo } from './tflite/from-graph';
import type { TfjsModelExport } from './tfjs-model';

import { EXPORT_FILES, type ExportLabel } from '../choices/deploy';
export type { ExportLabel };

export interface ExportedModel extends TfliteArtifact {
  label: ExportLabel;
  /** Suggested download name, e.g. "model_int8.tflite". */
  fileName: string;
  arena: ArenaPlan;
}

export interface CompressExports {
  models: ExportedModel[];
  /** Why an artifact is missing (e.g. weight-only quantization has no int8 .tflite here). */
  skipped: string[];
  /** The compressed model as a zipped tfjs LayersModel (export/tfjs-model.ts), when it was written. */
  tfjs?: TfjsModelExport;
  /** The run's predictions on its test records: compressed (simulated int8 when int8) and baseline. */
  predictions: { compressed: Uint8Array; baseline: Uint8Array; compressedLabel: string };
}

export interface CompressExportOptions {
  /** I/O of the int8 model: float (QUANTIZE/DEQUANTIZE inside, default) or int8. */
  io?: TfliteIo;
}

function withPlan(label: ExportLabel, a: TfliteArtifact): ExportedModel {
  return { ...a, label, fileName: EXPORT_FILES.get(label).fileName, arena: planArena(a.bytes) };
}

export function exportCompressed(m: CompressedModels, opts: CompressExportOptions = {}): CompressExports {
  const models: ExportedModel[] = [];
  const skipped: string[] = [];
  const q = m.quantized;
  if (q?.mode === 'int8') models.push(withPlan('int8', exportInt8Tflite(q, { io: opts.io })));
  else if (q) skipped.push(`int8 .tflite: the model is quantized "${q.mode}", and only full-integer int8 exports as int8 TFLite here.`);
  else skipped.push('int8 .tflite: the run did not quantize.');
  models.push(withPlan('float32', exportFloat32Tflite(m.compressed)));
  models.push(withPlan('baseline-float32', exportFloat32Tflite(m.baseline)));
  return { models, skipped, predictions: { compressed: m.predictions.after, baseline: m.predictions.before, compressedLabel: q?.mode === 'int8' ? 'simulated int8 (tfjs)' : (q?.mode ?? 'float32') } };
}
