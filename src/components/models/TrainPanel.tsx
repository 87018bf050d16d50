import { useEffect } from 'react';
import { DATASETS } from '../../engine/data/registry';
import { formOptions } from '../../engine/choices/choice';
import { BACKENDS } from '../../engine/choices/train';
import type { DatasetId } from '../../engine/types';
import { cancelJob, runTrain } from '../../state/jobs';
import { useStudio } from '../../state/store';
import { NumberField, SelectField } from '../compress/fields';
import { formatPercent, formatSeconds } from '../format';
import { JobLog } from '../JobLog';
import { ProgressView } from '../ProgressView';

const BACKEND_OPTIONS = formOptions(BACKENDS);

/**
 * Train an architecture from scratch for a dataset, most usefully one with no shipped baseline.
 * The trained model joins the user's models (kept in this browser) and can then be compressed.
 */
export function TrainPanel() {
  const f = useStudio((s) => s.trainForm);
  const set = useStudio((s) => s.setTrainForm);
  const zoo = useStudio((s) => s.zoo);
  const loadZoo = useStudio((s) => s.loadZoo);
  const baselines = useStudio((s) => s.baselines);
  const running = useStudio((s) => s.running);
  const trained = useStudio((s) => s.trained);
  const error = useStudio((s) => (s.error?.job === 'train' ? s.error.error : undefined));
  useEffect(loadZoo, [loadZoo]);
  const entries = Array.isArray(zoo) ? zoo.filter((e) => e.dataset === f.dataset) : [];
  const shipped = (arch: string) => baselines.some((b) => b.dataset === f.dataset && b.id.startsWith(`${arch}-`));
  const options = entries.map((e) => ({ value: e.architecture, label: `${e.label}${shipped(e.architecture) ? ' (a baseline ships)' : ''}` }));
  const training = running?.type === 'train';
  return (
    <div className="train" data-testid="train-panel">
      <p className="hint">For architectures with no shipped baseline. Training runs in your browser at CPU speed (wasm): a few thousand images give a rough model in minutes. The model is kept in this browser and can then be compressed.</p>
      {zoo && 'error' in zoo && <p className="error">Could not read the architectures: {zoo.error}</p>}
      <fieldset className="train-grid" disabled={!!running}>
        <legend className="sr-only">Training settings</legend>
        <SelectField
          label="Architecture"
          field="train.architecture"
          testId="train-arch"
          value={f.architecture}
          options={options.length ? options : [{ value: f.architecture, label: f.architecture }]}
          onChange={(architecture) => set({ architecture })}
        />
        <SelectField label="Dataset" field="train.dataset" testId="train-dataset" value={f.dataset} options={DATASETS.map((d) => ({ value: d.id, label: d.label }))} onChange={(dataset) => set({ dataset: dataset as DatasetId })} />
        <NumberField label="Epochs" field="train.epochs" testId="train-epochs" min={1} step={1} value={f.epochs} onChange={(v) => set({ epochs: v ?? Number.NaN })} />
        <NumberField label="Batch size" field="train.batchSize" testId="train-batch" min={1} step={1} value={f.batchSize} onChange={(v) => set({ batchSize: v ?? Number.NaN })} />
        <NumberField label="Learning rate" field="train.learningRate" testId="train-lr" min={0} step="any" value={f.learningRate} onChange={(v) => set({ learningRate: v ?? Number.NaN })} />
        <NumberField label="Training images (blank = all)" field="train.trainLimit" testId="train-limit" min={1} step={1} optional value={f.trainLimit} onChange={(trainLimit) => set({ trainLimit })} />
        <NumberField label="Stop after steps (blank = none)" field="train.maxSteps" testId="train-steps" min={1} step={1} optional value={f.maxSteps} onChange={(maxSteps) => set({ maxSteps })} />
        <NumberField label="Test images to evaluate (blank = all)" field="train.evalLimit" testId="train-eval" min={1} step={1} optional value={f.evalLimit} onChange={(evalLimit) => set({ evalLimit })} />
        <SelectField label="Backend for training" field="train.backend" testId="train-backend" value={f.backend} options={BACKEND_OPTIONS} onChange={(backend) => set({ backend })} />
      </fieldset>
      <div className="buttons">
        <button type="button" onClick={() => void runTrain()} disabled={!!running} data-testid="train-run">
          Train
        </button>
        {training && (
          <button type="button" className="secondary" onClick={cancelJob} data-testid="train-cancel">
            Cancel
          </button>
        )}
      </div>
      <ProgressView jobs={['train']} />
      <JobLog jobs={['train']} />
      {error && (
        <p role="alert" className={error.code === 'cancelled' ? 'note' : 'error'} data-testid="train-error">
          {error.kind === 'bug' ? 'Internal error (please report it): ' : ''}
          {error.message}
        </p>
      )}
      {trained && !training && (
        <p className="ok" data-testid="train-result">
          Trained {trained.entry.training.architecture as string} on {trained.entry.dataset}: {formatPercent(trained.metrics.accuracy)} on {trained.metrics.count.toLocaleString('en')} test images after {trained.steps} steps (
          {trained.imagesPerSecond.toFixed(0)} img/s on {trained.backend}, {formatSeconds(trained.elapsedMs)}). It is selected among your models.
        </p>
      )}
    </div>
  );
}
