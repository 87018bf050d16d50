import { useEffect, useState } from 'react';
import { BACKENDS, type BackendChoice, type BackendName } from '../engine/choices/train';
import { cancelJob, modelRef, runEvaluate, runJob } from '../state/jobs';
import { useStudio } from '../state/store';
import { JobLog } from './JobLog';
import { ProgressView } from './ProgressView';

/** Evaluate a baseline, or fine-tune it; Cancel stops whichever job runs. */
export function RunPanel() {
  const selectedId = useStudio((s) => s.selectedId);
  const backend = useStudio((s) => s.backend);
  const running = useStudio((s) => s.running);
  const error = useStudio((s) => (s.error && s.error.job !== 'compress' ? s.error.error : undefined));
  const setBackend = useStudio((s) => s.setBackend);
  const [trainBackend, setTrainBackend] = useState<BackendChoice>(BACKENDS.defaultId);
  const [epochs, setEpochs] = useState(1);
  const [batchSize, setBatchSize] = useState(64);
  const [learningRate, setLearningRate] = useState(0.005);
  const [trainLimit, setTrainLimit] = useState(0);
  const [evalLimit, setEvalLimit] = useState(0);
  // After a lost WebGL context the training picker, like the others, shows wasm (job-slice.ts).
  const webglLostAt = useStudio((s) => s.webglLostAt);
  useEffect(() => {
    if (webglLostAt) setTrainBackend((b) => (b === 'webgl' || b === 'auto' ? 'wasm' : b));
  }, [webglLostAt]);

  const evaluate = () => runEvaluate();
  // A user's model travels with the job as copies of its files, as for Evaluate and Compress.
  const finetune = () => {
    if (!selectedId) return;
    const { transfer, ...ref } = modelRef(selectedId);
    void runJob({ type: 'finetune', ...ref, backend: trainBackend, settings: { epochs, batchSize, learningRate, seed: 1, trainLimit: trainLimit > 0 ? trainLimit : undefined, evalLimit: evalLimit > 0 ? evalLimit : undefined } }, transfer);
  };

  return (
    <div className="run-panel">
      <label className="field">
        Inference backend
        <select value={backend} onChange={(e) => setBackend(e.target.value as BackendName)} disabled={!!running}>
          {BACKENDS.options
            .filter((o) => o.id !== 'auto')
            .map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
        </select>
      </label>
      <div className="buttons">
        <button type="button" onClick={evaluate} disabled={!selectedId || !!running}>
          Evaluate
        </button>
        <button type="button" className="secondary" onClick={cancelJob} disabled={!running || running.type === 'compress'}>
          Cancel
        </button>
      </div>
      <details className="finetune">
        <summary>Fine-tune</summary>
        <div className="field-row">
          <label className="field">
            Training backend
            <select value={trainBackend} onChange={(e) => setTrainBackend(e.target.value as BackendChoice)} disabled={!!running}>
              {BACKENDS.options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Epochs
            <input type="number" min={1} max={50} value={epochs} onChange={(e) => setEpochs(Math.max(1, Number(e.target.value)))} />
          </label>
          <label className="field">
            Batch size
            <input type="number" min={1} max={512} value={batchSize} onChange={(e) => setBatchSize(Math.max(1, Number(e.target.value)))} />
          </label>
          <label className="field">
            Learning rate
            <input type="number" step={0.001} min={0} value={learningRate} onChange={(e) => setLearningRate(Number(e.target.value))} />
          </label>
          <label className="field">
            Training images (0 = all)
            <input type="number" min={0} value={trainLimit} onChange={(e) => setTrainLimit(Math.max(0, Number(e.target.value)))} />
          </label>
          <label className="field">
            Test images (0 = all)
            <input type="number" min={0} value={evalLimit} onChange={(e) => setEvalLimit(Math.max(0, Number(e.target.value)))} />
          </label>
        </div>
        <button type="button" onClick={finetune} disabled={!selectedId || !!running}>
          Fine-tune
        </button>
      </details>
      <ProgressView jobs={['evaluate', 'finetune']} />
      <JobLog jobs={['evaluate', 'finetune']} />
      {error && (
        <p role="alert" className={error.code === 'cancelled' ? 'note' : 'error'}>
          {error.kind === 'bug' ? 'Internal error (please report it): ' : ''}
          {error.message}
        </p>
      )}
    </div>
  );
}
