import { getDataset } from '../engine/data/registry';
import { SCALINGS } from '../engine/choices/input-scaling';
import { MODEL_FORMAT_LABELS } from '../engine/choices/model-formats';
import type { UserModelRecord } from '../state/user-model-record';
import { useStudio } from '../state/store';
import { formatBytes, formatCount, formatPercent } from './format';

/** The selected user model's details, under the row of tiles. */
export function UserModelDetails({ m }: { m: UserModelRecord }) {
  return (
    <p className="model-details" data-testid="model-details">
      {MODEL_FORMAT_LABELS[m.summary.format ?? 'tfjs-layers']}
      {m.scaling ? ` · inputs ${SCALINGS.get(m.scaling).label}` : ''} · {formatCount(m.summary.params)} params · {m.summary.layerCount} layers ·{' '}
      {m.accuracy !== undefined ? `${formatPercent(m.accuracy)} on ${m.evaluatedOn?.toLocaleString('en')} test images` : 'accuracy: evaluate or compress it'}
      {m.origin === 'upload' ? ` · files: ${m.files.map((f) => f.name).join(', ')}` : ''}
    </p>
  );
}

/** One of the user's own models in the picker. Its label and file names are the user's: text only. */
export function UserModelOption({ m, selected }: { m: UserModelRecord; selected: boolean }) {
  const select = useStudio((s) => s.select);
  const remove = useStudio((s) => s.removeUserModel);
  const busy = useStudio((s) => !!s.running);
  const d = getDataset(m.dataset);
  return (
    <div className={`model-option user-model${selected ? ' selected' : ''}`} data-testid={`model-${m.id}`}>
      <input type="radio" name="model" value={m.id} id={`pick-${m.id}`} checked={selected} onChange={() => select(m.id)} />
      <label htmlFor={`pick-${m.id}`} className="model-name">
        {m.label} <span className="tag">{m.origin === 'upload' ? 'uploaded' : 'trained here'}</span>
      </label>
      <span className="model-meta">
        {d.label} · {formatBytes(m.summary.weightBytes)} · {m.accuracy !== undefined ? `${formatPercent(m.accuracy)} top-1` : 'not evaluated yet'}
      </span>
      <span className="model-actions">
        <button type="button" className="link danger" onClick={() => remove(m.id)} disabled={busy && selected} data-testid={`remove-${m.id}`}>
          Remove
        </button>
      </span>
    </div>
  );
}
