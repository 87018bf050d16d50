import { useState, type DragEvent } from 'react';
import { DATASETS } from '../../engine/data/registry';
import type { DatasetId } from '../../engine/types';
import { defaultScaling, SCALINGS, type ScalingId } from '../../engine/choices/input-scaling';
import { ScalingProposalNote } from './ScalingProposalNote';
import { uploadModel } from '../../state/jobs';
import { useStudio } from '../../state/store';
import { chosenFiles, droppedFiles, type GivenFile } from './dropped-files';

/** React's types lack the folder picker's attribute; browsers that lack it show a file picker. */
const FOLDER_PICKER = { webkitdirectory: '' } as Record<string, string>;

/**
 * Bring your own model: a tfjs LayersModel (model.json + weight files) by file picker or drag and
 * drop, for a chosen dataset. The worker validates it before the studio keeps it; a refusal is
 * the validator's message, naming the file, layer or shape. File and layer names are the user's
 * and are only ever rendered as text.
 */
export function UploadPanel() {
  const upload = useStudio((s) => s.upload);
  const dataset = useStudio((s) => s.uploadDataset);
  const setDataset = useStudio((s) => s.setUploadDataset);
  const manifest = useStudio((s) => s.datasets);
  const scaling = useStudio((s) => s.uploadScaling) ?? defaultScaling(dataset);
  const setScaling = useStudio((s) => s.setUploadScaling);
  const [over, setOver] = useState(false);
  const busy = upload.status !== 'idle';
  const take = (files: GivenFile[]) => {
    if (files.length > 0 && !busy) void uploadModel(files);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void droppedFiles(e.dataTransfer).then(take);
  };
  return (
    <div className="upload" data-testid="upload-panel">
      <p className="hint">
        A Keras <code>.keras</code> or <code>.h5</code> file, a float <code>.tflite</code>, an ONNX file, or a tfjs LayersModel (its <code>model.json</code> and weight files, or their folder). The format is read from the bytes; the model is
        checked in the worker before use.
      </p>
      <label className="field inline">
        Dataset it was trained on
        <select value={dataset} onChange={(e) => setDataset(e.target.value as DatasetId)} disabled={busy} data-testid="upload-dataset">
          {DATASETS.map((d) => (
            <option key={d.id} value={d.id} disabled={manifest[d.id] && !manifest[d.id].available}>
              {d.label} ({d.shape.join('x')}, {d.numClasses} classes)
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        Its inputs are scaled
        <select value={scaling} onChange={(e) => setScaling(e.target.value as ScalingId)} disabled={busy} data-testid="upload-scaling">
          {SCALINGS.options.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="upload-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <span>Drop the model file (or model.json with its weight files, or their folder) here, or</span>
        <label className="file-button">
          choose files…
          <input
            type="file"
            multiple
            disabled={busy}
            data-testid="upload-input"
            onChange={(e) => {
              take(chosenFiles(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <label className="file-button">
          choose a folder…
          <input
            type="file"
            {...FOLDER_PICKER}
            disabled={busy}
            data-testid="upload-folder-input"
            onChange={(e) => {
              take(chosenFiles(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <div className="upload-status" aria-live="polite">
        {upload.status === 'reading' && <p className="note">Reading {upload.fileNames.length} files…</p>}
        {upload.status === 'validating' && <p className="note">Checking the model in the worker…</p>}
        {upload.status === 'idle' && upload.added && (
          <p className="ok" data-testid="upload-ok">
            Added “{upload.added}” and selected it: set the recipe below and press Compress.
          </p>
        )}
        {upload.status === 'idle' && upload.addedId && <ScalingProposalNote id={upload.addedId} />}
        {upload.status === 'idle' && upload.error && (
          <div role="alert" className="error upload-error" data-testid="upload-error">
            <p>
              {upload.error.kind === 'bug' ? 'Internal error (please report it): ' : 'This model cannot be used: '}
              {upload.error.message}
            </p>
            <p className="hint">Files given: {upload.fileNames.join(', ') || 'none'}. The studio keeps working with the other models.</p>
          </div>
        )}
      </div>
    </div>
  );
}
