import { useStudio } from '../state/store';

const STAGE_LABEL: Record<string, string> = {
  backend: 'Starting the backend',
  'load-model': 'Loading the model',
  'load-data': 'Loading the data',
  evaluate: 'Evaluating',
  latency: 'Measuring latency',
  train: 'Training',
};

/** The progress bar of the running job: stage, step count, images/s and time left. */
export function ProgressView() {
  const running = useStudio((s) => s.running);
  const p = running?.progress;
  const fraction = p && p.total > 0 ? p.done / p.total : 0;
  const elapsed = running ? (performance.now() - running.startedAt) / 1000 : 0;
  const secondsLeft = p?.secondsLeft ?? (p?.stage === 'evaluate' && fraction > 0.05 ? (elapsed / fraction) * (1 - fraction) : undefined);
  return (
    <div className="progress-area" aria-live="polite">
      {running && (
        <>
          <progress max={1} value={fraction} aria-label="Job progress" />
          <span data-testid="stage">
            {STAGE_LABEL[p?.stage ?? 'backend']}
            {p && p.total > 1 ? ` — ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')}` : ''}
            {p?.imagesPerSecond !== undefined ? ` — ${p.imagesPerSecond.toFixed(0)} img/s on ${p.backend}` : ''}
            {p?.loss !== undefined ? ` — loss ${p.loss.toFixed(3)}` : ''}
            {secondsLeft !== undefined ? ` — about ${Math.ceil(secondsLeft)} s left` : ''}
          </span>
        </>
      )}
    </div>
  );
}
