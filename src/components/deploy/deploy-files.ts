/**
 * The Deploy section's downloads: names derived from the model id (never from text a user typed),
 * the C array pair (engine/export/c-array.ts) and the run's report (engine/export/report.ts), each
 * saved through a Blob, an object URL and an <a download> clicked once.
 */
import { tfliteCArray, type CArrayFiles } from '../../engine/export/c-array';
import type { ExportedModel } from '../../engine/export/compress-exports';
import type { McuFit } from '../../engine/export/mcu-fit';
import { reportJson } from '../../engine/export/report';
import type { CompressJobResult } from '../../engine/jobs/results';
import { saveBlob } from '../download';

/** The model id as a file-name stem: letters, digits and "_" only ("custom-cnn-mnist" -> "custom_cnn_mnist"). */
export function fileStem(modelId: string): string {
  const s = modelId.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80);
  return s === '' ? 'model' : s;
}

/** "custom_cnn_mnist_int8", "custom_cnn_mnist_baseline_float32": one stem per exported file. */
export function exportStem(modelId: string, m: Pick<ExportedModel, 'label'>): string {
  return `${fileStem(modelId)}_${m.label.replace(/-/g, '_')}`;
}

/** The .h/.c pair for an exported file: `<stem>.h`, `<stem>.c`, array `<stem>_tflite` (a C identifier). */
export function cArrayFor(modelId: string, m: ExportedModel): CArrayFiles {
  const stem = exportStem(modelId, m);
  const arrayName = /^[0-9]/.test(stem) ? `m_${stem}_tflite` : `${stem}_tflite`;
  return tfliteCArray(m.bytes, { baseName: stem, arrayName, comment: `Compression Studio: ${modelId}, ${m.label} .tflite (${m.io} I/O)` });
}

/** The run's report (versioned envelope) with the fit checks shown; exported bytes and predictions left out. */
export function reportFor(r: CompressJobResult, fit: McuFit[]): string {
  const { exports, tflite, ...compress } = r;
  return reportJson({ compress, exports: exports?.models, tflite, fit });
}

export function saveBytes(fileName: string, bytes: Uint8Array): void {
  saveBlob(fileName, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
}

export function saveText(fileName: string, text: string, type = 'text/plain'): void {
  saveBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}
