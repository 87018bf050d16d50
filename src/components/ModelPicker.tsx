import { caveatsFor, getDataset } from '../engine/data/registry';
import { useStudio } from '../state/store';
import { StorageNotice } from './history/StorageNotice';
import { formatBytes, formatCount, formatPercent } from './format';
import { UserModelOption } from './UserModelOption';

export function ModelPicker() {
  const baselines = useStudio((s) => s.baselines);
  const userModels = useStudio((s) => s.userModels);
  const storage = useStudio((s) => s.userModelStorage);
  const selectedId = useStudio((s) => s.selectedId);
  const select = useStudio((s) => s.select);
  const datasets = useStudio((s) => s.datasets);
  if (baselines.length === 0) return <p>Loading the model list…</p>;
  return (
    <fieldset className="model-list">
      <legend className="sr-only">Pick a model</legend>
      {baselines.map((m) => {
        const d = getDataset(m.dataset);
        const caveats = caveatsFor(d, 'test', m.testData.first, m.testData.count);
        const unavailable = datasets[m.dataset] && !datasets[m.dataset].available;
        return (
          <label key={m.id} className={`model-option${selectedId === m.id ? ' selected' : ''}`} data-testid={`model-${m.id}`}>
            <input type="radio" name="model" value={m.id} checked={selectedId === m.id} onChange={() => select(m.id)} />
            <span className="model-name">{m.id}</span>
            <span className="model-meta">
              {d.label} · {formatCount(m.params)} params · {formatCount(m.macs)} MACs · {formatBytes(m.sizeBytes)} float32 · baseline{' '}
              {formatPercent(m.testAccuracy)} on {m.testData.count.toLocaleString('en')} test images
              {!m.testData.exact && ' (lossy images)'}
            </span>
            {caveats.length > 0 && <span className="caveat">{caveats.map((c) => c.text).join(' ')}</span>}
            {unavailable && <span className="error">Dataset not prepared: {datasets[m.dataset].error}</span>}
          </label>
        );
      })}
      {userModels.length > 0 && <p className="group-label">Your models</p>}
      {userModels.map((m) => (
        <UserModelOption key={m.id} m={m} selected={selectedId === m.id} />
      ))}
      <StorageNotice status={storage} what="model" testId="user-models" />
    </fieldset>
  );
}
