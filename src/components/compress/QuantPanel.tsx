import { formOptions } from '../../engine/choices/choice';
import { BIAS_CORRECTIONS, CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES, ROUNDINGS } from '../../engine/choices/quantize';
import { useStudio } from '../../state/store';
import { NumberField, SelectField } from './fields';
import { ideaElementId, recipeIdeas } from '../ideas/ideas';

const MODES = formOptions(QUANT_MODES);
const GRANULARITY = formOptions(GRANULARITIES);
const CALIBRATION = formOptions(CALIBRATION_METHODS);
const ROUNDING = formOptions(ROUNDINGS);
const BIAS = formOptions(BIAS_CORRECTIONS);

/** The quantization format and its weight scales: the recipe's main quantization knobs. */
export function QuantPanel() {
  const q = useStudio((s) => s.compressSettings.quant);
  const setQuant = useStudio((s) => s.setQuant);
  const busy = useStudio((s) => !!s.running);
  const int8 = QUANT_MODES.get(q.mode).int8Weights;
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
      <div className="field-pair advanced">
        <SelectField
          label="Rounding"
          advanced
          field="quant.rounding"
          testId="quant-rounding"
          describedBy={ideas.rounding && ideaElementId(ideas.rounding)}
          value={q.rounding}
          options={ROUNDING}
          disabled={!int8}
          onChange={(rounding) => setQuant({ rounding })}
        />
        <SelectField
          label="Bias correction"
          advanced
          field="quant.biasCorrection"
          testId="quant-bias-correction"
          describedBy={ideas.rounding && ideaElementId(ideas.rounding)}
          value={q.biasCorrection}
          options={BIAS}
          disabled={!int8}
          onChange={(biasCorrection) => setQuant({ biasCorrection })}
        />
      </div>
    </fieldset>
  );
}

/** How full-integer INT8 calibrates its activation ranges: method, percentile, training images. */
export function CalibrationPanel() {
  const q = useStudio((s) => s.compressSettings.quant);
  const setCalibration = useStudio((s) => s.setCalibration);
  const busy = useStudio((s) => !!s.running);
  const calibrated = QUANT_MODES.get(q.mode).calibrates;
  return (
    <fieldset className="settings-group advanced" disabled={busy}>
      <legend>Calibration</legend>
      <div className="field-pair advanced">
        <SelectField
          label="Calibration"
          advanced
          field="quant.calibration.method"
          testId="quant-calibration"
          describedBy={calibrated ? ideaElementId('calibration') : undefined}
          value={q.calibration.method}
          options={CALIBRATION}
          disabled={!calibrated}
          onChange={(method) => setCalibration({ method })}
        />
        <NumberField
          label="Percentile"
          advanced
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
        label="Calibration samples"
        advanced
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
