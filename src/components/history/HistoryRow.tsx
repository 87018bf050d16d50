import { useState } from 'react';
import { applyRunSettings } from '../../state/jobs';
import { recipeLabel, type RunRecord } from '../../state/run-record';
import { modelLabel } from '../../state/model-label';
import { useStudio } from '../../state/store';
import { formatBytes, formatPercent } from '../format';
import { sizeAfter, type SizeMeasure } from './run-figures';

/** One run: pick for comparison, its figures, and show / use settings / rename / delete. */
export function HistoryRow({ run, current, picked, measure }: { run: RunRecord; current: boolean; picked: boolean; measure: SizeMeasure }) {
  const { renameRun, deleteRun, showRun, toggleCompare } = useStudio.getState();
  const busy = useStudio((s) => !!s.running);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const a = run.result.after;
  const model = useStudio((s) => modelLabel(s, run.modelId));
  const save = () => {
    renameRun(run.id, name);
    setEditing(false);
  };
  return (
    <tr className={current ? 'current' : undefined} data-testid="history-row" data-run-id={run.id}>
      <td>
        <input type="checkbox" checked={picked} onChange={() => toggleCompare(run.id)} aria-label={`Compare “${run.name}”`} data-testid="history-compare" />
      </td>
      <td className="run-name">
        {editing ? (
          <input
            value={name}
            maxLength={120}
            autoFocus
            aria-label="New name for the run"
            data-testid="history-rename-input"
            onChange={(e) => setName(e.target.value)}
            onBlur={save}
            onKeyDown={(e) => {
              if (e.key === 'Enter') save();
              if (e.key === 'Escape') {
                setName(run.name);
                setEditing(false);
              }
            }}
          />
        ) : (
          <span data-testid="history-name">{run.name}</span>
        )}
        <span className="run-sub">
          {model} · {new Date(run.createdAt).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' })}
        </span>
      </td>
      <td className="recipe">{recipeLabel(run.settings)}</td>
      <td className="num" data-testid="history-accuracy">
        {formatPercent(a.metrics.accuracy)}
      </td>
      <td className="num">{formatBytes(sizeAfter(run, measure))}</td>
      <td className="num">{run.result.testRecords.count.toLocaleString('en')}</td>
      <td className="actions">
        <button type="button" className="link" onClick={() => showRun(run.id)} disabled={current} data-testid="history-show">
          Show
        </button>
        <button type="button" className="link" onClick={() => applyRunSettings(run.id)} disabled={busy} data-testid="history-use">
          Use settings
        </button>
        <button
          type="button"
          className="link"
          onClick={() => {
            setName(run.name);
            setEditing(true);
          }}
          data-testid="history-rename"
        >
          Rename
        </button>
        <button type="button" className="link danger" onClick={() => deleteRun(run.id)} data-testid="history-delete" aria-label={`Delete “${run.name}”`}>
          Delete
        </button>
      </td>
    </tr>
  );
}
