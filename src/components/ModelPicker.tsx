import { caveatsFor, getDataset } from '../engine/data/registry';
import { baselineName, isBigModel } from '../engine/models/architectures';
import { useStudio } from '../state/store';
import { StorageNotice } from './history/StorageNotice';
import { formatBytes, formatCount, formatPercent } from './format';
import { UserModelDetails, UserModelOption } from './UserModelOption';

/**
 * The models as a row of tiles: each named by its architecture and dataset (engine/models/
 * architectures.ts), with its float32 size and baseline accuracy; the selected one's details
 * (parameters, MACs, test images, data caveats) on one line under the row. A big model says that
 * it is fetched only when picked (start-up selects a small one: engine/models/architectures.ts).
 */
// On the tile only as a tooltip: a second meta line would make the row of tiles taller, and the main
// loop must fit a 1280x720 screen (tests/e2e/workbench.spec.ts). The details line says it in words.
const BIG_NOTE = 'a big model: its weights are fetched only when picked';

export function ModelPicker() {
  const baselines = useStudio((s) => s.baselines);
  const userModels = useStudio((s) => s.userModels);
  const storage = useStudio((s) => s.userModelStorage);
  const selectedId = useStudio((s) => s.selectedId);
  const select = useStudio((s) => s.select);
  const datasets = useStudio((s) => s.datasets);
  if (baselines.length === 0) return <p>Loading the model list…</p>;
  const picked = baselines.find((m) => m.id === selectedId);
  const caveats = picked ? caveatsFor(getDataset(picked.dataset), 'test', picked.testData.first, picked.testData.count) : [];
  return (
    <>
      <fieldset className="model-list">
        <legend className="sr-only">Pick a model</legend>
        {baselines.map((m) => {
          const unavailable = datasets[m.dataset] && !datasets[m.dataset].available;
          return (
            <label key={m.id} className={`model-option${selectedId === m.id ? ' selected' : ''}`} data-testid={`model-${m.id}`} title={isBigModel(m) ? BIG_NOTE : undefined}>
              <input type="radio" name="model" value={m.id} checked={selectedId === m.id} onChange={() => select(m.id)} />
              <span className="model-name">{baselineName(m)}</span>
              <span className="model-meta">
                {formatBytes(m.sizeBytes)} · {formatPercent(m.testAccuracy, 1)} top-1
              </span>
              {unavailable && <span className="error">Dataset not prepared: {datasets[m.dataset].error}</span>}
            </label>
          );
        })}
        {userModels.map((m) => (
          <UserModelOption key={m.id} m={m} selected={selectedId === m.id} />
        ))}
      </fieldset>
      {userModels
        .filter((m) => m.id === selectedId)
        .map((m) => (
          <UserModelDetails key={m.id} m={m} />
        ))}
      {picked && (
        <p className="model-details" data-testid="model-details">
          {formatCount(picked.params)} params · {formatCount(picked.macs)} MACs · baseline {formatPercent(picked.testAccuracy)} on {picked.testData.count.toLocaleString('en')} test images
          {!picked.testData.exact && ' (lossy images)'}
          {isBigModel(picked) && ` · ${BIG_NOTE}`}
          {caveats.length > 0 && <span className="caveat"> {caveats.map((c) => c.text).join(' ')}</span>}
        </p>
      )}
      <StorageNotice status={storage} what="model" testId="user-models" />
    </>
  );
}
