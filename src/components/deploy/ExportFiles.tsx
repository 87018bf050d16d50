import { useMemo, useState } from 'react';
import { EXPORT_FILES } from '../../engine/choices/deploy';
import type { ExportedModel } from '../../engine/export/compress-exports';
import type { McuFit } from '../../engine/export/mcu-fit';
import type { CompressJobResult } from '../../engine/jobs/results';
import { noCArrayReason, runDownloadBlob, runDownloads, type RunDownload } from '../../state/run-downloads';
import { useStudio } from '../../state/store';
import { saveBlob } from '../download';
import { formatBytes } from '../format';

/** Saves one of the run's files (its contents made by the engine, behind the store); the report carries the model's sensitivity analysis if this tab computed one. */
function useSave(r: CompressJobResult, fit: McuFit[], onError: (message: string) => void): (f: RunDownload | undefined) => void {
  const sensitivity = useStudio((s) => s.sensitivity[r.modelId]);
  return (f) => {
    if (!f) return;
    try {
      const blob = runDownloadBlob(r, fit, f.name, sensitivity);
      if (blob) saveBlob(f.name, blob);
    } catch (e) {
      onError(`Could not write ${f.name}: ${(e as Error).message}`);
    }
  };
}

function operatorsText(ops: Record<string, number>): string {
  return Object.entries(ops)
    .map(([op, n]) => (n > 1 ? `${op} ×${n}` : op))
    .join(', ');
}

function FileRow({ m, files, save }: { m: ExportedModel; files: RunDownload[]; save: (f: RunDownload | undefined) => void }) {
  const s = m.summary;
  const zeros = s.kernelElements ? s.zeroKernelElements / s.kernelElements : 0;
  const file = (kind: RunDownload['kind']) => files.find((f) => f.label === m.label && f.kind === kind);
  return (
    <tr data-testid={`export-${m.label}`}>
      <th scope="row">
        {EXPORT_FILES.get(m.label).label}
        <span className="ops" title={`${s.tensors} tensors`}>
          {operatorsText(s.operators)}
        </span>
      </th>
      <td title={`${s.sizeBytes.toLocaleString('en')} bytes`} data-testid={`export-${m.label}-size`}>
        {formatBytes(s.sizeBytes)}
      </td>
      <td title={`${s.gzipBytes.toLocaleString('en')} bytes`}>{formatBytes(s.gzipBytes)}</td>
      <td>{(zeros * 100).toFixed(1)}%</td>
      <td>
        {s.input.type} → {s.output.type}
      </td>
      <td className="downloads">
        <button type="button" className="secondary small" data-testid={`download-${m.label}-tflite`} onClick={() => save(file('tflite'))}>
          .tflite
        </button>
        {file('c-header') ? (
          <>
            <button type="button" className="secondary small" data-testid={`download-${m.label}-h`} onClick={() => save(file('c-header'))} title="C header: the array's declaration and length">
              .h
            </button>
            <button type="button" className="secondary small" data-testid={`download-${m.label}-c`} onClick={() => save(file('c-source'))} title="C source: the 16-byte aligned array, xxd -i style">
              .c
            </button>
          </>
        ) : (
          <span className="note" data-testid={`no-c-array-${m.label}`} title={noCArrayReason(m)}>
            no C array (too large for any listed board)
          </span>
        )}
      </td>
    </tr>
  );
}

/**
 * The run's .tflite files with their sizes (gzip beside them, which is where unstructured zeros
 * show), each downloadable as .tflite and as a C header/source pair, and the run's report.
 */
export function ExportFiles({ r, fit }: { r: CompressJobResult; fit: McuFit[] }) {
  const [error, setError] = useState<string>();
  const runFiles = useStudio((s) => s.runFiles);
  const models = r.exports?.models ?? [];
  const files = useMemo(() => runDownloads(r, fit), [r, fit]);
  const save = useSave(r, fit, setError);
  const note = models.find((m) => m.summary.note)?.summary.note;
  return (
    <div className="export-files" data-testid="deploy-files">
      {models.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">.tflite file</th>
              <th scope="col">Size</th>
              <th scope="col">gzip</th>
              <th scope="col">Zero weights</th>
              <th scope="col">I/O</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <FileRow key={m.label} m={m} files={files} save={save} />
            ))}
          </tbody>
        </table>
      ) : (
        <p className="placeholder" data-testid={runFiles?.state === 'loading' ? 'deploy-files-loading' : 'deploy-no-files'}>
          {runFiles?.state === 'loading'
            ? 'Reading this run’s files from the browser’s storage…'
            : runFiles?.state === 'unreadable'
              ? `This run’s stored files could not be read (${runFiles.reason ?? 'unknown reason'}). Compress again with “Real int8 on the TFLite runtime” to download them.`
              : 'This run’s files were not kept (it was made before the studio kept them, or they were in another tab’s memory). Compress again with “Real int8 on the TFLite runtime” to download them.'}
        </p>
      )}
      {r.exports?.tfjs && (
        <p className="tfjs-line" data-testid="export-tfjs">
          <button type="button" className="secondary small" data-testid="download-tfjs-zip" onClick={() => save(files.find((f) => f.kind === 'tfjs-zip'))}>
            tfjs model (.zip)
          </button>
          <span className="hint">
            model.json + weights.bin for tf.loadLayersModel (or this studio’s upload):{' '}
            <span data-testid="export-tfjs-size" title={`${r.exports.tfjs.zip.length.toLocaleString('en')} bytes`}>
              {formatBytes(r.exports.tfjs.zip.length)}
            </span>{' '}
            zipped, {formatBytes(r.exports.tfjs.weightBytes)} of weights. {r.exports.tfjs.note}
          </span>
        </p>
      )}
      {note && (
        <p className="deploy-note" data-testid="deploy-size-note">
          <strong>Why unstructured pruning does not shrink the file:</strong> {note}
        </p>
      )}
      {r.exports?.skipped.map((s) => (
        <p key={s} className="hint">
          Not exported: {s}
        </p>
      ))}
      <p className="report-line">
        <button type="button" className="secondary small" data-testid="download-report" onClick={() => save(files.find((f) => f.kind === 'report'))}>
          Report (.json)
        </button>
        <span className="hint">The whole run: settings, before and after, the files’ summaries and arena plans, the TFLite measurements and the fit checks, and the model’s per-layer sensitivity when it was analysed here.</span>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
