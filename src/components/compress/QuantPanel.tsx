import type { CalibrationMethod } from '../../engine/quantize/calibrate';
import type { QuantModeSetting } from '../../engine/jobs/compress-settings';
import type { Granularity } from '../../engine/quantize/quantize-graph';
import { useStudio } from '../../state/store';
import { NumberField, SelectField } from './fields';
import { ideaElementId, recipeIdeas } from '../ideas/ideas';

const MODES: ReadonlyArray<{ value: QuantModeSetting; label: string }> = [
  { value: 'none', label: 'None (float32)' },
  { value: 'int8', label: 'Full-integer INT8' },
  { value: 'weight-int8', label: 'Weight-only INT8' },
  { value: 'float16', label: 'float16' },
];

const GRANULARITY: ReadonlyArray<{ value: Granularity; label: string }> = [
  { value: 'per-channel', label: 'Per channel' },
  { value: 'per-tensor', label: 'Per tensor' },
];

const CALIBRATION: ReadonlyArray<{ value: CalibrationMethod; label: string }> = [
  { value: 'minmax', label: 'Min-max' },
  { value: 'percentile', label: 'Percentile' },
  { value: 'mse', label: 'MSE' },
];

/** The quantization format and its weight scales: the recipe's main quantization knobs. */
export function QuantPanel() {
  const q = useStudio((s) => s.compressSettings.quant);
  const setQuant = useStudio((s) => s.setQuant);
  const busy = useStudio((s) => !!s.running);
  const int8 = q.mode === 'int8' || q.mode === 'weight-int8';
  const ideas = recipeIdeas(useStudio((s) => s.compressSettings));
  return (
    <fieldset className="settings-group" disabled={busy}>
      <legend>Quantization</legend>
      <SelectField label="Format" field="quant.mode" testId="quant-mode" describedBy={ideaElementId(ideas.format)} value={q.mode} options={MODES} onChange={(mode) => setQuant({ mode })} />
      <SelectField
        label="Weight scales"
        field="quant.granularity"
        testId="quant-granularity"
        describedBy={ideas.scales && ideaElementId(ideas.scales)}
        value={q.granularity}
        options={GRANULARITY}
        disabled={!int8}
        hint="Dense layers: per tensor either way (TFLite)."
        onChange={(granularity) => setQuant({ granularity })}
      />
    </fieldset>
  );
}

/** How full-integer INT8 calibrates its activation ranges: method, percentile, training images. */
export function CalibrationPanel() {
  const q = useStudio((s) => s.compressSettings.quant);
  const setCalibration = useStudio((s) => s.setCalibration);
  const busy = useStudio((s) => !!s.running);
  const calibrated = q.mode === 'int8';
  return (
    <fieldset className="settings-group advanced" disabled={busy}>
      <legend>Calibration</legend>
      <div className="field-pair advanced">
        <SelectField
          label="Calibration" advanced
          field="quant.calibration.method"
          testId="quant-calibration"
          describedBy={calibrated ? ideaElementId('calibration') : undefined}
          value={q.calibration.method}
          options={CALIBRATION}
          disabled={!calibrated}
          onChange={(method) => setCalibration({ method })}
        />
        <NumberField
          label="Percentile" advanced
          field="quant.calibration.percentile"
          testId="quant-percentile"
          min={50}
          max={100}
          step="any"
          disabled={!calibrated || q.calibration.method !== 'percentile'}
          value={q.calibration.percentile}
          onChange={(v) => setCalibration({ percentile: v ?? Number.NaN })}
        />
      </div>
      <NumberField
        label="Calibration samples" advanced
        field="quant.calibration.samples"
        testId="quant-samples"
        min={1}
        step={1}
        disabled={!calibrated}
        hint={calibrated ? 'Training images, never test images.' : 'Only full-integer INT8 calibrates activations.'}
        value={q.calibration.samples}
        onChange={(v) => setCalibration({ samples: v ?? Number.NaN })}
      />
    </fieldset>
  );
}
