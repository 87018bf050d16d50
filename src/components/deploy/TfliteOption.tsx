import { formOptions } from '../../engine/choices/choice';
import { isRuntime, RUNTIMES, TFLITE_IO, TFLITE_RUNTIMES, type RuntimeChoiceId } from '../../engine/choices/deploy';
import { QUANT_MODES } from '../../engine/choices/quantize';
import { runtimeFor } from '../../state/deploy-slice';
import { useStudio } from '../../state/store';
import { CheckboxField, SelectField } from '../compress/fields';
import './deploy.css';

const IO = formOptions(TFLITE_IO);
const RUNTIME_OPTIONS = formOptions(TFLITE_RUNTIMES);

/** Why an int8-I/O file runs on the runtime it does, whatever was picked. */
function int8IoHint(picked: RuntimeChoiceId, runs: RuntimeChoiceId): string {
  const others = RUNTIMES.filter((r) => !r.int8Io)
    .map((r) => r.name)
    .join(', ');
  return `int8 I/O runs on ${TFLITE_RUNTIMES.get(runs).name}: ${others} cannot pass int8 tensors${isRuntime(picked) ? '' : ', so there is nothing to measure it against'}.`;
}

/**
 * The compression job's TFLite step: export .tflite files and run them on TFLite's wasm runtime
 * (real int8 kernels) after compressing. Its results are in the Deploy part of the results.
 */
export function TfliteOption() {
  const d = useStudio((s) => s.deploy);
  const setDeploy = useStudio((s) => s.setDeploy);
  const busy = useStudio((s) => !!s.running);
  // Only a full-integer model has an int8 file whose I/O can be chosen.
  const int8 = useStudio((s) => QUANT_MODES.get(s.compressSettings.quant.mode).calibrates);
  return (
    <fieldset className="settings-group deploy-option" disabled={busy} data-testid="tflite-option">
      <legend>Deploy</legend>
      <CheckboxField label="Real int8 on the TFLite runtime" field="tflite.evaluate" testId="tflite-enabled" checked={d.tflite} onChange={(tflite) => setDeploy({ tflite })} />
      <SelectField label="int8 file I/O" field="tflite.io" testId="tflite-io" hint={TFLITE_IO.get(d.io).help} value={d.io} options={IO} disabled={!d.tflite || !int8} onChange={(io) => setDeploy({ io })} />
      <SelectField
        label="Runtime"
        field="tflite.runtime"
        testId="tflite-runtime"
        hint={runtimeFor(d) !== d.runtime ? int8IoHint(d.runtime, runtimeFor(d)) : TFLITE_RUNTIMES.get(d.runtime).help}
        value={runtimeFor(d)}
        options={RUNTIME_OPTIONS}
        disabled={!d.tflite || runtimeFor(d) !== d.runtime}
        onChange={(runtime) => setDeploy({ runtime })}
      />
      <p className="hint">
        {d.tflite && !int8
          ? 'No int8 file: the format above is not full-integer INT8. The float32 .tflite is still exported and measured.'
          : 'After compressing, exports .tflite files and runs them on a TFLite wasm runtime in the browser: real int8 accuracy and latency, downloads and a microcontroller fit check under Deploy in the results. Adds a few seconds.'}
      </p>
    </fieldset>
  );
}
