import { formOptions } from '../../engine/choices/choice';
import { gradualSchedule, LAYER_KINDS, PRUNE_ALLOCATIONS, PRUNE_CRITERIA, PRUNE_SCHEDULES } from '../../engine/choices/prune';
import { DEFAULT_NM, isPruning, pruneMethod, PRUNE_METHODS, type PruneMethod, type PruneParamSpec } from '../../engine/choices/prune-methods';
import { useStudio } from '../../state/store';
import { CheckboxField, FractionSlider, NumberField, SelectField } from './fields';
import { ideaElementId, recipeIdeas } from '../ideas/ideas';

/** The element id of the idea that explains the current choice, if there is one. */
const ideaId = (id: Parameters<typeof ideaElementId>[0] | undefined) => (id ? ideaElementId(id) : undefined);

/** The methods of the engine's table; an N:M method is offered with the table's N:M pattern (2:4). */
const METHODS = formOptions(PRUNE_METHODS);

/** The pruning method and its sparsity: the recipe's main pruning knobs. */
export function PrunePanel() {
  const p = useStudio((s) => s.compressSettings.prune);
  const idea = ideaId(useStudio((s) => recipeIdeas(s.compressSettings).prune));
  const setPrune = useStudio((s) => s.setPrune);
  const busy = useStudio((s) => !!s.running);
  const method = pruneMethod(p.method);
  const off = !isPruning(method);
  const fixedRatio = method.uses.nm;
  return (
    <fieldset className="settings-group" disabled={busy}>
      <legend>Pruning</legend>
      <SelectField
        label="Pruning method"
        field="prune.method"
        testId="prune-method"
        describedBy={idea}
        value={p.method}
        options={METHODS}
        onChange={(id: PruneMethod) => setPrune({ method: id, params: {}, ...(PRUNE_METHODS.get(id).uses.nm ? DEFAULT_NM : {}) })}
      />
      <FractionSlider
        label="Sparsity"
        field="prune.sparsity"
        testId="prune-sparsity"
        describedBy={idea}
        value={fixedRatio ? (p.m - p.n) / p.m : p.sparsity}
        disabled={off || fixedRatio}
        hint={method.sparsityHelp || PRUNE_METHODS.get(PRUNE_METHODS.defaultId).sparsityHelp}
        onChange={(sparsity) => setPrune({ sparsity })}
      />
      <PruneParamFields specs={method.params.filter((spec) => !spec.advanced)} />
    </fieldset>
  );
}

/** The rest of the pruning settings: schedule, filter ranking, layer kinds, the first and last layers. */
export function PruneMorePanel() {
  const p = useStudio((s) => s.compressSettings.prune);
  const idea = ideaId(useStudio((s) => recipeIdeas(s.compressSettings).schedule));
  const setPrune = useStudio((s) => s.setPrune);
  const busy = useStudio((s) => !!s.running);
  const method = pruneMethod(p.method);
  const off = !isPruning(method);
  const gradual = p.schedule.kind === 'gradual';
  return (
    <fieldset className="settings-group advanced" disabled={busy}>
      <legend>Pruning, more</legend>
      <SelectField
        label="Schedule"
        advanced
        field="prune.schedule"
        testId="prune-schedule"
        describedBy={idea}
        value={p.schedule.kind}
        disabled={off}
        options={formOptions(PRUNE_SCHEDULES)}
        onChange={(kind) => setPrune({ schedule: kind === 'gradual' ? gradualSchedule() : { kind } })}
      />
      <FractionSlider
        label="Initial sparsity (gradual)"
        advanced
        field="prune.schedule.initialSparsity"
        testId="prune-initial-sparsity"
        value={p.schedule.kind === 'gradual' ? p.schedule.initialSparsity : 0}
        disabled={off || !gradual}
        onChange={(initialSparsity) => p.schedule.kind === 'gradual' && setPrune({ schedule: { ...p.schedule, initialSparsity } })}
      />
      <SelectField
        label="Allocation across layers"
        field="prune.allocation"
        testId="prune-allocation"
        disabled={!method.uses.allocation}
        value={p.allocation}
        options={formOptions(PRUNE_ALLOCATIONS)}
        onChange={(allocation) => setPrune({ allocation })}
      />
      <PruneParamFields specs={method.params.filter((spec) => spec.advanced)} />
      <SelectField label="Filter ranking (structured)" advanced field="prune.criterion" disabled={!method.uses.criterion} value={p.criterion} options={formOptions(PRUNE_CRITERIA)} onChange={(criterion) => setPrune({ criterion })} />
      <div className="field advanced" role="group" aria-label="Layer kinds to prune">
        <span className="field-label">Layer kinds to prune</span>
        <div className="checks">
          {LAYER_KINDS.options.map(({ id: kind, label, help }) => (
            <label key={kind} className="check" title={help}>
              <input type="checkbox" disabled={off} checked={p.layerKinds.includes(kind)} onChange={(e) => setPrune({ layerKinds: e.target.checked ? [...p.layerKinds, kind] : p.layerKinds.filter((k) => k !== kind) })} />
              {label}
            </label>
          ))}
        </div>
      </div>
      <CheckboxField label="Spare the first and last layers" advanced field="prune.spareFirstLast" testId="prune-spare" disabled={off} checked={p.spareFirstLast} onChange={(spareFirstLast) => setPrune({ spareFirstLast })} />
    </fieldset>
  );
}

/** A method's own parameters (its table's params): a checkbox for a 0/1 switch, else a number. */
function PruneParamFields({ specs }: { specs: readonly PruneParamSpec[] }) {
  const p = useStudio((s) => s.compressSettings.prune);
  const setPrune = useStudio((s) => s.setPrune);
  return specs.map((spec) =>
    spec.toggle ? (
      <CheckboxField
        key={spec.key}
        label={spec.label}
        advanced={spec.advanced}
        field={`prune.params.${spec.key}`}
        testId={`prune-param-${spec.key}`}
        checked={(p.params[spec.key] ?? spec.default) === 1}
        onChange={(on) => setPrune({ params: { ...p.params, [spec.key]: on ? 1 : 0 } })}
      />
    ) : (
      <NumberField
        key={spec.key}
        label={spec.label}
        advanced={spec.advanced}
        hint={spec.help}
        field={`prune.params.${spec.key}`}
        testId={`prune-param-${spec.key}`}
        min={spec.min}
        max={spec.max}
        step={spec.integer ? 1 : 'any'}
        value={p.params[spec.key] ?? spec.default}
        onChange={(v) => setPrune({ params: { ...p.params, [spec.key]: v ?? Number.NaN } })}
      />
    ),
  );
}
