import type { PruneMethod, PruneSettings } from '../../engine/jobs/compress-settings';
import type { LayerKind } from '../../engine/prune/unstructured';
import { useStudio } from '../../state/store';
import { CheckboxField, FractionSlider, SelectField } from './fields';
import { ideaElementId, recipeIdeas } from '../ideas/ideas';

/** The element id of the idea that explains the current choice, if there is one. */
const ideaId = (id: Parameters<typeof ideaElementId>[0] | undefined) => (id ? ideaElementId(id) : undefined);

/** The pruning kinds the studio offers; '2:4' is the engine's N:M method with N = 2, M = 4. */
const METHODS: ReadonlyArray<{ value: string; label: string; method: PruneMethod; n?: number; m?: number }> = [
  { value: 'none', label: 'None', method: 'none' },
  { value: 'per-layer', label: 'Unstructured, per layer', method: 'per-layer' },
  { value: 'global', label: 'Unstructured, global', method: 'global' },
  { value: 'structured', label: 'Structured (whole filters)', method: 'structured' },
  { value: '2:4', label: '2:4 semi-structured', method: 'n:m', n: 2, m: 4 },
];

const KINDS: ReadonlyArray<{ kind: LayerKind; label: string }> = [
  { kind: 'conv', label: 'conv' },
  { kind: 'depthwise', label: 'depthwise' },
  { kind: 'dense', label: 'dense' },
];

function methodValue(p: PruneSettings): string {
  return p.method === 'n:m' ? '2:4' : p.method;
}

/** The pruning method and its sparsity: the recipe's main pruning knobs. */
export function PrunePanel() {
  const p = useStudio((s) => s.compressSettings.prune);
  const idea = ideaId(useStudio((s) => recipeIdeas(s.compressSettings).prune));
  const setPrune = useStudio((s) => s.setPrune);
  const busy = useStudio((s) => !!s.running);
  const off = p.method === 'none';
  const fixedRatio = p.method === 'n:m';
  return (
    <fieldset className="settings-group" disabled={busy}>
      <legend>Pruning</legend>
      <SelectField
        label="Pruning method"
        field="prune.method"
        testId="prune-method"
        describedBy={idea}
        value={methodValue(p)}
        options={METHODS}
        onChange={(v) => {
          const m = METHODS.find((x) => x.value === v)!;
          setPrune({ method: m.method, ...(m.n !== undefined ? { n: m.n, m: m.m } : {}) });
        }}
      />
      <FractionSlider
        label="Sparsity"
        field="prune.sparsity"
        testId="prune-sparsity"
        describedBy={idea}
        value={fixedRatio ? (p.m - p.n) / p.m : p.sparsity}
        disabled={off || fixedRatio}
        hint={fixedRatio ? 'Keeps the 2 largest of every 4 input-channel weights.' : p.method === 'structured' ? 'Fraction of filters removed in each layer.' : 'Fraction of weights set to zero.'}
        onChange={(sparsity) => setPrune({ sparsity })}
      />
    </fieldset>
  );
}

/** The rest of the pruning settings: schedule, filter ranking, layer kinds, the first and last layers. */
export function PruneMorePanel() {
  const p = useStudio((s) => s.compressSettings.prune);
  const idea = ideaId(useStudio((s) => recipeIdeas(s.compressSettings).schedule));
  const setPrune = useStudio((s) => s.setPrune);
  const busy = useStudio((s) => !!s.running);
  const off = p.method === 'none';
  const gradual = p.schedule.kind === 'gradual';
  return (
    <fieldset className="settings-group advanced" disabled={busy}>
      <legend>Pruning, more</legend>
      <SelectField
        label="Schedule" advanced
        field="prune.schedule"
        testId="prune-schedule"
        describedBy={idea}
        value={p.schedule.kind}
        disabled={off}
        options={[
          { value: 'one-shot', label: 'One-shot' },
          { value: 'gradual', label: 'Gradual (while fine-tuning)' },
        ]}
        onChange={(kind) => setPrune({ schedule: kind === 'gradual' ? { kind: 'gradual', initialSparsity: 0, power: 3 } : { kind: 'one-shot' } })}
      />
      <FractionSlider
        label="Initial sparsity (gradual)" advanced
        field="prune.schedule.initialSparsity"
        testId="prune-initial-sparsity"
        value={p.schedule.kind === 'gradual' ? p.schedule.initialSparsity : 0}
        disabled={off || !gradual}
        onChange={(initialSparsity) => p.schedule.kind === 'gradual' && setPrune({ schedule: { ...p.schedule, initialSparsity } })}
      />
      <SelectField
          label="Filter ranking (structured)" advanced
          field="prune.criterion"
          disabled={p.method !== 'structured'}
          value={p.criterion}
          options={[
            { value: 'l1', label: 'L1 norm' },
            { value: 'l2', label: 'L2 norm' },
          ]}
          onChange={(criterion) => setPrune({ criterion })}
        />
      <div className="field advanced" role="group" aria-label="Layer kinds to prune">
        <span className="field-label">Layer kinds to prune</span>
        <div className="checks">
          {KINDS.map(({ kind, label }) => (
            <label key={kind} className="check">
              <input
                type="checkbox"
                disabled={off}
                checked={p.layerKinds.includes(kind)}
                onChange={(e) => setPrune({ layerKinds: e.target.checked ? [...p.layerKinds, kind] : p.layerKinds.filter((k) => k !== kind) })}
              />
              {label}
            </label>
          ))}
        </div>
      </div>
      <CheckboxField label="Spare the first and last layers" advanced field="prune.spareFirstLast" testId="prune-spare" disabled={off} checked={p.spareFirstLast} onChange={(spareFirstLast) => setPrune({ spareFirstLast })} />
    </fieldset>
  );
}
