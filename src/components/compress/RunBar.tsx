import { cancelJob, runCompress } from '../../state/jobs';
import { useStudio } from '../../state/store';
import { JobLog } from '../JobLog';
import { ProgressView } from '../ProgressView';
import { hasControl } from './placed-fields';

/** An error no control owns (no field, or a field without a control), or the cancel note. */
function RunMessage() {
  const e = useStudio((s) => (s.error?.job === 'compress' ? s.error.error : undefined));
  const overrides = useStudio((s) => s.compressSettings.prune.overrides);
  if (!e) return null;
  if (hasControl(e, overrides)) {
    return (
      <p className="error" data-testid="compress-error">
        A setting needs fixing: see the message under it, marked in red.
      </p>
    );
  }
  if (e.code === 'cancelled') {
    return (
      <p role="alert" className="note" data-testid="compress-error">
        {e.message}
      </p>
    );
  }
  return (
    <p role="alert" className="error" data-testid="compress-error">
      {e.kind === 'bug' ? 'Internal error (please report it): ' : ''}
      {e.message}
    </p>
  );
}

/** Whether the headline's after-figures follow the recipe with a preview (state/live.ts). */
function LivePreviewToggle() {
  const on = useStudio((s) => s.livePreview);
  const set = useStudio((s) => s.setLivePreview);
  return (
    <label className="check small live-toggle">
      <input type="checkbox" checked={on} onChange={(e) => set(e.target.checked)} data-testid="live-preview" />
      Live preview while the recipe changes (a small test subset)
    </label>
  );
}

/**
 * Compress and Cancel, the progress bar with the job log under it, and the run's messages, across the panel. Cancel exists
 * only while a compression runs (the Evaluate panel has its own for its jobs).
 */
export function RunBar() {
  const selectedId = useStudio((s) => s.selectedId);
  const running = useStudio((s) => s.running);
  const compressing = running?.type === 'compress';
  return (
    <div className="run-bar">
      <div className="buttons">
        <button type="button" onClick={() => void runCompress()} disabled={!selectedId || !!running} data-testid="compress-run">
          Compress
        </button>
        {compressing && (
          <button type="button" className="secondary" onClick={cancelJob} data-testid="compress-cancel">
            Cancel
          </button>
        )}
      </div>
      <LivePreviewToggle />
      <div className="progress-log">
        <ProgressView jobs={['compress']} />
        <JobLog jobs={['compress']} />
      </div>
      <div className="run-message">
        <RunMessage />
      </div>
    </div>
  );
}
