import { formOptions } from '../../engine/choices/choice';
import { BACKENDS } from '../../engine/choices/train';
import { useStudio } from '../../state/store';
import { CheckboxField, NumberField, SelectField } from './fields';

const BACKEND_OPTIONS = formOptions(BACKENDS);

/** Test images, latency runs and the backend, with the backend the last run actually used. */
export function MeasurePanel() {
  const running = useStudio((s) => !!s.running);
  const settings = useStudio((s) => s.compressSettings);
  const backend = useStudio((s) => s.compressBackend);
  const setBackend = useStudio((s) => s.setCompressBackend);
  const setEvalLimit = useStudio((s) => s.setEvalLimit);
  const setLatencyRuns = useStudio((s) => s.setLatencyRuns);
  const setStageAccuracy = useStudio((s) => s.setStageAccuracy);
  const ran = useStudio((s) => s.compress);
  return (
    <fieldset className="settings-group" disabled={running}>
      <legend>Measurement</legend>
      <NumberField label="Test images (blank = all)" field="evalLimit" testId="eval-limit" min={1} step={1} optional value={settings.evalLimit} onChange={setEvalLimit} />
      <CheckboxField label="Accuracy after each stage" advanced field="stageAccuracy" testId="stage-accuracy" checked={settings.stageAccuracy} onChange={setStageAccuracy} />
      <NumberField label="Latency runs (batch 1)" advanced field="latencyRuns" testId="latency-runs" min={1} step={1} value={settings.latencyRuns} onChange={(v) => setLatencyRuns(v ?? Number.NaN)} />
      <SelectField label="Backend" advanced field="backend" testId="compress-backend" value={backend} options={BACKEND_OPTIONS} onChange={setBackend} />
      {/* Clamped to a few lines so a long fallback note cannot push the page down; the full note is in the results. */}
      <p className="hint ran-on advanced" data-testid="compress-ran-on" title={ran?.backendNote}>
        {ran ? (
          <>
            Last run ran on <strong>{ran.backend}</strong>
            {ran.backendNote ? ` (${ran.backendNote})` : ''}
          </>
        ) : (
          'auto: WebGL if hardware-accelerated, else wasm. The backend that actually ran is shown here after a run.'
        )}
      </p>
    </fieldset>
  );
}
