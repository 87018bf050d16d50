/**
 * The Deploy section's downloads, behind the store: the run's files as the engine assembles them
 * (engine/export/run-files.ts: the same names and bytes as the CLI's --export-dir), and one file's
 * contents as a Blob, made when the user asks for it.
 */
import type { McuFit } from '../engine/export/mcu-fit';
import { noCArray, runFiles, type RunFileKind } from '../engine/export/run-files';
import type { ExportLabel } from '../engine/choices/deploy';
import type { CompressJobResult, SensitivityJobResult } from '../engine/jobs/results';

export interface RunDownload {
  name: string;
  kind: RunFileKind;
  label?: ExportLabel;
}

/** The run's files by name and kind (nothing is computed until one is fetched). */
export function runDownloads(r: CompressJobResult, fit: McuFit[]): RunDownload[] {
  return runFiles(r, fit).map(({ name, kind, label }) => ({ name, kind, label }));
}

/** Why an exported file has no C pair among the downloads (too large for any listed board), or undefined. */
export const noCArrayReason = noCArray;

/** One file of the run as a Blob, or undefined when the run has no such file. The report carries `sensitivity` when it is of the run's model. */
export function runDownloadBlob(r: CompressJobResult, fit: McuFit[], name: string, sensitivity?: SensitivityJobResult): Blob | undefined {
  const f = runFiles(r, fit, sensitivity).find((x) => x.name === name);
  if (!f) return undefined;
  const data = f.contents();
  return new Blob([typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>)], { type: f.mime === 'application/octet-stream' || f.mime === 'application/zip' ? f.mime : `${f.mime};charset=utf-8` });
}
