import { useRef } from 'react';
import type { BackendName } from '../engine/backend/init';
import { EngineClient, JobError } from '../workers/client';
import { useStudio } from '../state/store';

const STAGE_LABEL: Record<string, string> = {
  backend: 'Starting the backend',
  'load-model': 'Loading the model',
  'load-data': 'Loading the test data',
  evaluate: 'Evaluating',
  latency: 'Measuring latency',
};

let client: EngineClient | undefined;
function engine(): EngineClient {
  client ??= new EngineClient();
  return client;
}

export function RunPanel() {
  const { selectedId, backend, running, error } = useStudio();
  const { setBackend, started, progressed, finished, failed } = useStudio.getState();
  const cancelled = useRef(false);

  const run = () => {
    if (!selectedId || running) return;
    cancelled.current = false;
    const job = engine().run({ type: 'evaluate', modelId: selectedId, backend }, progressed);
    started(job.id);
    job.done.then(finished, (e: unknown) => failed(e instanceof JobError ? e.error : { code: 'internal', kind: 'bug', message: String(e), context: {} }));
  };
  const cancel = () => {
    if (running) engine().cancel(running.jobId);
  };

  const p = running?.progress;
  const fraction = p && p.total > 0 ? p.done / p.total : 0;
  const elapsed = running ? (performance.now() - running.startedAt) / 1000 : 0;
  const eta = p?.stage === 'evaluate' && fraction > 0.05 ? (elapsed / fraction) * (1 - fraction) : undefined;

  return (
    <div className="run-panel">
      <label className="field">
        Backend
        <select value={backend} onChange={(e) => setBackend(e.target.value as BackendName)} disabled={!!running}>
          <option value="wasm">wasm (fast on CPU)</option>
          <option value="webgl">webgl (GPU)</option>
          <option value="cpu">cpu (slow, reference)</option>
        </select>
      </label>
      <div className="buttons">
        <button type="button" onClick={run} disabled={!selectedId || !!running}>
          Evaluate
        </button>
        <button type="button" onClick={cancel} disabled={!running}>
          Cancel
        </button>
      </div>
      <div className="progress-area" aria-live="polite">
        {running && (
          <>
            <progress max={1} value={fraction} aria-label="Job progress" />
            <span data-testid="stage">
              {STAGE_LABEL[p?.stage ?? 'backend']}
              {p && p.total > 1 ? ` — ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')}` : ''}
              {eta !== undefined ? ` — about ${Math.ceil(eta)} s left` : ''}
            </span>
          </>
        )}
        {error && (
          <p role="alert" className={error.code === 'cancelled' ? 'note' : 'error'}>
            {error.kind === 'bug' ? 'Internal error (please report it): ' : ''}
            {error.message}
          </p>
        )}
      </div>
    </div>
  );
}
