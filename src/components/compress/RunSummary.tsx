import type { CompressJobResult } from '../../engine/jobs/results';
import { modelLabel } from '../../state/model-label';
import { useStudio } from '../../state/store';
import { formatSeconds } from '../format';

/** Which model, data and backend the results are from, how many predictions flipped, and the data caveats. */
export function RunSummary({ r }: { r?: CompressJobResult }) {
  const label = useStudio((s) => (r ? modelLabel(s, r.modelId) : ''));
  if (!r) {
    return (
      <div className="run-summary" data-testid="compress-summary">
        <p className="placeholder">Set the recipe and press Compress. Every figure of the run appears here, before and after side by side.</p>
      </div>
    );
  }
  const last = r.testRecords.first + r.testRecords.count - 1;
  return (
    <div className="run-summary" data-testid="compress-summary">
      <p>
        <strong>{label}</strong> on {r.dataset} test records {r.testRecords.first}–{last} ({r.testRecords.count.toLocaleString('en')} images), backend <strong data-testid="compress-backend-ran">{r.backend}</strong>
        {r.backendNote ? ` (${r.backendNote})` : ''}, in {formatSeconds(r.elapsedMs)}.{' '}
        <span data-testid="compress-flipped">
          {r.flippedCount.toLocaleString('en')} of {r.testRecords.count.toLocaleString('en')} predictions changed.
        </span>
      </p>
      {r.caveats.map((c) => (
        <p key={c} className="caveat" data-testid="compress-caveat">
          {c}
        </p>
      ))}
    </div>
  );
}
