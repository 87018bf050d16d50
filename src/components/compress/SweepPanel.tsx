import { cancelJob, runSweep } from '../../state/jobs';
import { parseSweep } from '../../state/sweep-slice';
import { useStudio } from '../../state/store';
import { SweepChart } from './SweepChart';

/** What the sweep is doing, in one line. */
function status(s: ReturnType<typeof useStudio.getState>['sweep']): string {
  if (s.status === 'running') return `Running ${Math.min(s.points.length + 1, s.total)} of ${s.total}…`;
  if (s.status === 'done') return `Done: ${s.points.length} runs, each also in the run history.`;
  return s.message ?? '';
}

/** One click runs the recipe above once per sparsity and plots accuracy and size against sparsity. */
export function SweepPanel() {
  const sweep = useStudio((s) => s.sweep);
  const setText = useStudio((s) => s.setSweepText);
  const running = useStudio((s) => !!s.running);
  const selectedId = useStudio((s) => s.selectedId);
  const sweeping = sweep.status === 'running';
  const parsed = parseSweep(sweep.text);
  const bad = typeof parsed === 'string' ? parsed : undefined;
  return (
    <div className="sweep" data-testid="sweep">
      <p className="hint">Runs the recipe above once per sparsity, one after another, with everything else unchanged. Each sparsity is a fraction (0.5) or a percentage (50%).</p>
      <div className="sweep-controls">
        <label className="field inline">
          Sparsities
          <input type="text" value={sweep.text} onChange={(e) => setText(e.target.value)} disabled={sweeping} data-testid="sweep-input" aria-invalid={bad ? true : undefined} aria-describedby={bad ? 'sweep-bad' : undefined} />
        </label>
        <button type="button" onClick={() => void runSweep()} disabled={running || !selectedId || !!bad} data-testid="sweep-run">
          Run sweep
        </button>
        {sweeping && (
          <button type="button" className="secondary" onClick={cancelJob} data-testid="sweep-cancel">
            Cancel sweep
          </button>
        )}
      </div>
      <p className={`sweep-status${sweep.status === 'failed' || bad ? ' error' : ''}`} role="status" data-testid="sweep-status" id="sweep-bad">
        {bad ?? status(sweep)}
      </p>
      <SweepChart sweep={sweep} />
    </div>
  );
}
