/**
 * A run's files, assembled in one place for the worker (workers/tflite-step.ts), the page (Deploy
 * downloads, through state/run-downloads.ts) and the CLI (tools/cli/export-command.ts), so the
 * same run gives the same files under the same names everywhere:
 *
 *   <model>_int8.tflite, <model>_int8.h, <model>_int8.c        full-integer int8 (when quantized to int8)
 *   <model>_float32.tflite, .h, .c                             the compressed model unquantized
 *   <model>_baseline_float32.tflite, .h, .c                    the baseline
 *   <model>_tfjs.zip                                           the compressed model as a tfjs LayersModel
 *   <model>_report.json                                        the run's report (versioned envelope)
 *
 * <model> is the model id reduced to letters, digits and "_" (never text a user typed). The .tflite
 * and zip bytes are made once, when the run ends (export-run.ts, in the worker or the CLI); the C
 * arrays and the report are text made from them when asked for (RunFile.contents), since a C array
 * is about six times its file. This module imports no tfjs, so the page can list and make files.
 */
import { BOARDS, EXPORT_FILES, type ExportLabel } from '../choices/deploy';
import type { CompressJobResult } from '../jobs/results';
import { tfliteCArray, type CArrayFiles } from './c-array';
import type { ExportedModel } from './compress-exports';
import { checkFit, type McuFit, type McuProfile } from './mcu-fit';
import { reportJson } from './report';
import type { SensitivityResult } from '../jobs/sensitivity';
import { sensitivitySection } from './sensitivity-section';

/** The model id as a file-name stem: letters, digits and "_" only ("custom-cnn-mnist" -> "custom_cnn_mnist"). */
export function fileStem(modelId: string): string {
  const s = modelId
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  return s === '' ? 'model' : s;
}

/** "custom_cnn_mnist_int8", "custom_cnn_mnist_baseline_float32": one stem per exported file. */
export function exportStem(modelId: string, m: { label: ExportLabel }): string {
  return `${fileStem(modelId)}_${m.label.replace(/-/g, '_')}`;
}

/**
 * A .tflite above this gets no C array: twice the largest flash of the board table, so it fits
 * no board the studio knows, and an `xxd -i` source takes about 6 bytes of text per byte (VGG16's
 * int8 file would be some 90 MB of C, its float32 one 370 MB, built as one string in the tab).
 */
export const C_ARRAY_MAX_BYTES = 2 * Math.max(...BOARDS.options.map((b) => b.flashBytes));

/** Why an exported file gets no C array, or undefined when it gets one. */
export function noCArray(m: Pick<ExportedModel, 'label' | 'bytes'>): string | undefined {
  if (m.bytes.length <= C_ARRAY_MAX_BYTES) return undefined;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  return `no C array for the ${m.label} .tflite: at ${mb(m.bytes.length)} it is over twice the largest flash of the listed boards (${mb(C_ARRAY_MAX_BYTES / 2)}); download the .tflite instead`;
}

/** The .h/.c pair for an exported file: `<stem>.h`, `<stem>.c`, array `<stem>_tflite` (a C identifier). */
export function cArrayFor(modelId: string, m: Pick<ExportedModel, 'label' | 'bytes' | 'io'>): CArrayFiles {
  const stem = exportStem(modelId, m);
  const arrayName = /^[0-9]/.test(stem) ? `m_${stem}_tflite` : `${stem}_tflite`;
  return tfliteCArray(m.bytes, { baseName: stem, arrayName, comment: `Compression Studio: ${modelId}, ${m.label} .tflite (${m.io} I/O)` });
}

/**
 * The run's report (versioned envelope) with the fit checks given and, when there is one, the
 * sensitivity analysis of its model (ignored when it is of another model); exported bytes and
 * predictions left out.
 */
export function reportFor(r: Omit<CompressJobResult, 'type'>, fit: McuFit[], sensitivity?: SensitivityResult): string {
  const { exports, tflite, ...compress } = r;
  return reportJson({ compress, exports: exports?.models, tflite, fit, sensitivity: sensitivitySection(r, sensitivity) });
}

/** The file the fit check is about by default: the int8 file, else the first there is. */
export function defaultFitModel(models: ExportedModel[], label: ExportLabel = EXPORT_FILES.defaultId): ExportedModel | undefined {
  return models.find((m) => m.label === label) ?? models[0];
}

/** The fit of one exported file on each board. */
export function fitChecks(m: ExportedModel, boards: readonly McuProfile[]): McuFit[] {
  return boards.map((b) => checkFit(m.summary.sizeBytes, m.arena, b));
}

export type RunFileKind = 'tflite' | 'c-header' | 'c-source' | 'tfjs-zip' | 'report';

export interface RunFile {
  name: string;
  kind: RunFileKind;
  /** The exported model it belongs to (.tflite and its C pair). */
  label?: ExportLabel;
  mime: string;
  /** The file's bytes or text (C arrays and the report are made when asked for). */
  contents: () => Uint8Array | string;
}

/**
 * Every file of a run that has exports, in one order: each .tflite with its C pair (none for a
 * file too large for any board, noCArray), the tfjs zip,
 * then the report with the fit checks given (and the model's sensitivity analysis, if any). Names come from the model id, never from the stored
 * file names (runs kept before the names were unified carry the old ones).
 */
export function runFiles(r: Omit<CompressJobResult, 'type'>, fit: McuFit[], sensitivity?: SensitivityResult): RunFile[] {
  const files: RunFile[] = [];
  const stem = fileStem(r.modelId);
  for (const m of r.exports?.models ?? []) {
    const s = exportStem(r.modelId, m);
    let c: CArrayFiles | undefined;
    const cPair = () => (c ??= cArrayFor(r.modelId, m));
    files.push({ name: `${s}.tflite`, kind: 'tflite', label: m.label, mime: 'application/octet-stream', contents: () => m.bytes });
    if (noCArray(m)) continue;
    files.push({ name: `${s}.h`, kind: 'c-header', label: m.label, mime: 'text/x-c', contents: () => cPair().header.text });
    files.push({ name: `${s}.c`, kind: 'c-source', label: m.label, mime: 'text/x-c', contents: () => cPair().source.text });
  }
  const tfjs = r.exports?.tfjs;
  if (tfjs) files.push({ name: `${stem}_tfjs.zip`, kind: 'tfjs-zip', mime: 'application/zip', contents: () => tfjs.zip });
  files.push({ name: `${stem}_report.json`, kind: 'report', mime: 'application/json', contents: () => reportFor(r, fit, sensitivity) });
  return files;
}
