import { AUTO_BUDGETS, type AutoBudgetKind } from '../../engine/choices/auto-budget';
import { formOptions } from '../../engine/choices/choice';
import { BOARDS } from '../../engine/choices/deploy';
import { panelBudget, type AutoSearchState } from '../../state/auto-slice';
import { cancelJob, runAutoSearch } from '../../state/jobs';
import { useStudio } from '../../state/store';
import { formatPercent } from '../format';
import { ProgressView } from '../ProgressView';
import { AutoSearchChart } from './AutoSearchChart';

/** What the search is doing, in one line. */
function status(a: AutoSearchState): string {
  switch (a.status) {
    case 'searching':
      return `Searching: ${a.tried.length} candidate${a.tried.length === 1 ? '' : 's'} so far, each pruned, quantized and measured on held-back training images…`;
    case 'compressing':
      return `Found ${a.result?.candidates.length ?? 0} candidates; compressing the pick and measuring it on the test records…`;
    case 'done':
      return a.pickRun ? `Done. Test records (never seen by the search): ${formatPercent(a.pickRun.testBefore)} → ${formatPercent(a.pickRun.testAfter)}; the run is in the history.` : 'Done.';
    default:
      return a.message ?? '';
  }
}

/** The user states a budget; the search chooses the sparsity, shows every candidate and says why it picked one. */
export function AutoSearchPanel() {
  const auto = useStudio((s) => s.autoSearch);
  const setKind = useStudio((s) => s.setAutoKind);
  const setText = useStudio((s) => s.setAutoText);
  const running = useStudio((s) => !!s.running);
  const selectedId = useStudio((s) => s.selectedId);
  const busy = auto.status === 'searching' || auto.status === 'compressing';
  const parsed = panelBudget(auto);
  const bad = typeof parsed === 'string' ? parsed : undefined;
  const value = auto.text[auto.kind];
  return (
    <div className="sweep" data-testid="auto-search">
      <p className="hint">
        Prunes with reconstruction (obs) and quantizes as set above, trying total sparsities until the budget’s edge is found. Candidates are judged on held-back training images; the pick is then compressed as a run and measured on the test
        records. {AUTO_BUDGETS.get(auto.kind).help}
      </p>
      <div className="sweep-controls">
        <label className="field inline">
          Budget
          <select value={auto.kind} onChange={(e) => setKind(e.target.value as AutoBudgetKind)} disabled={busy} data-testid="auto-kind">
            {formOptions(AUTO_BUDGETS).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {auto.kind === 'board' ? (
          <label className="field inline">
            {AUTO_BUDGETS.get(auto.kind).field}
            <select value={value} onChange={(e) => setText(e.target.value)} disabled={busy} data-testid="auto-value">
              {formOptions(BOARDS).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label className="field inline">
            {AUTO_BUDGETS.get(auto.kind).field}
            <input type="text" value={value} onChange={(e) => setText(e.target.value)} disabled={busy} data-testid="auto-value" aria-invalid={bad ? true : undefined} aria-describedby={bad ? 'auto-bad' : undefined} />
          </label>
        )}
        <button type="button" onClick={() => void runAutoSearch()} disabled={running || !selectedId || !!bad} data-testid="auto-run">
          Search
        </button>
        {busy && (
          <button type="button" className="secondary" onClick={cancelJob} data-testid="auto-cancel">
            Cancel search
          </button>
        )}
      </div>
      <ProgressView jobs={['auto-search']} />
      <p className={`sweep-status${auto.status === 'failed' || bad ? ' error' : ''}`} role="status" data-testid="auto-status" id="auto-bad">
        {bad ?? status(auto)}
      </p>
      {auto.result && (
        <p className="hint" data-testid="auto-reason">
          {auto.result.reason}
        </p>
      )}
      <AutoSearchChart auto={auto} />
    </div>
  );
}
