import { useEffect } from 'react';
import { PRUNE_METHOD_OPTIONS, PRUNE_METHODS } from '../../engine/choices/prune-methods';
import { useStudio } from '../../state/store';
import { fieldMessage } from '../format';
import { NumberField } from './fields';
import { overrideLayersOf } from './placed-fields';

/** The engine's message about one layer's override, if the last compression error names it. */
function useOverrideError(layer: string): string | undefined {
  return useStudio((s) => {
    const e = s.error?.job === 'compress' ? s.error.error : undefined;
    if (!e || !overrideLayersOf(e).includes(layer)) return undefined;
    return fieldMessage(e.message, `prune.overrides.${layer}`);
  });
}

function OverrideField({ layer, kind, disabled }: { layer: string; kind: string; disabled: boolean }) {
  const value = useStudio((s) => s.compressSettings.prune.overrides[layer]);
  const sparsity = useStudio((s) => s.compressSettings.prune.sparsity);
  const setOverride = useStudio((s) => s.setOverride);
  const error = useOverrideError(layer);
  return (
    <NumberField
      label={
        <>
          {layer} <span className="op">{kind}</span>
        </>
      }
      field={`prune.overrides.${layer}`}
      testId={`override-${layer}`}
      min={0}
      max={1}
      step={0.05}
      optional
      disabled={disabled}
      placeholder={`${sparsity} (default)`}
      value={value}
      errorMessage={error}
      onChange={(v) => setOverride(layer, v)}
    />
  );
}

/** Per-layer sparsity (a fraction 0-1) for per-layer unstructured and structured pruning; blank keeps the global value. */
export function OverridesPanel() {
  const selectedId = useStudio((s) => s.selectedId);
  const layers = useStudio((s) => (s.selectedId ? s.modelLayers[s.selectedId] : undefined));
  const load = useStudio((s) => s.loadModelLayers);
  const method = useStudio((s) => s.compressSettings.prune.method);
  const overrides = useStudio((s) => s.compressSettings.prune.overrides);
  const count = Object.keys(overrides).length;
  const busy = useStudio((s) => !!s.running);
  // A link may select a model before the catalog has loaded: load its layers once it is known.
  const known = useStudio((s) => s.baselines.some((b) => b.id === s.selectedId) || s.userModels.some((m) => m.id === s.selectedId));
  useEffect(() => {
    if (selectedId && known) load(selectedId);
  }, [selectedId, known, load]);
  const entry = PRUNE_METHODS.get(method);
  const applies = entry.uses.overrides;
  const takers = PRUNE_METHOD_OPTIONS.filter((m) => m.uses.overrides).map((m) => m.summary);
  return (
    <details className="overrides advanced" data-testid="overrides">
      <summary>Per-layer sparsity {count > 0 ? `(${count} layer${count > 1 ? 's' : ''} set)` : '(optional)'}</summary>
      <p className="hint">
        {applies
          ? `A fraction from 0 to 1 for any layer; blank keeps the sparsity above.${entry.structured ? ' Structured pruning: conv and dense layers only, and layers whose channels are coupled need the same value.' : ''}`
          : `Per-layer values apply to ${takers.join(' and ')} pruning.`}
      </p>
      {!layers && <p className="hint">Reading the model’s layers…</p>}
      {layers && 'error' in layers && <p className="error">Could not read the model’s layers: {layers.error}</p>}
      {Array.isArray(layers) && (
        <fieldset className="override-grid" disabled={busy || !applies}>
          <legend className="sr-only">Sparsity per layer</legend>
          {layers.map((l) => (
            // Structured pruning ranks filters; a depthwise layer's channels follow its producer.
            <OverrideField key={l.name} layer={l.name} kind={l.kind} disabled={entry.structured && l.kind === 'depthwise' && !(l.name in overrides)} />
          ))}
        </fieldset>
      )}
    </details>
  );
}
