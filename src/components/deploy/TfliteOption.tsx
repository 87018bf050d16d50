import type { TfliteIo } from '../../engine/export/tflite/from-graph';
import { useStudio } from '../../state/store';
import { CheckboxField, SelectField } from '../compress/fields';
import './deploy.css';

const IO: ReadonlyArray<{ value: TfliteIo; label: string }> = [
  { value: 'float', label: 'float32 in and out' },
  { value: 'int8', label: 'int8 in and out' },
];

/**
 * The compression job's TFLite step: export .tflite files and run them on TFLite's wasm runtime
 * (real int8 kernels) after compressing. Its results are in the Deploy part of the results.
 */
export function TfliteOption() {
  const d = useStudio((s) => s.deploy);
  const setDeploy = useStudio((s) => s.setDeploy);
  const busy = useStudio((s) => !!s.running);
  const int8 = useStudio((s) => s.compressSettings.quant.mode === 'int8');
  return (
    <fieldset className="settings-group deploy-option" disabled={busy} data-testid="tflite-option">
      <legend>Deploy</legend>
      <CheckboxField label="Real int8 on the TFLite runtime" field="tflite.evaluate" testId="tflite-enabled" checked={d.tflite} onChange={(tflite) => setDeploy({ tflite })} />
      <SelectField label="int8 file I/O" field="tflite.io" testId="tflite-io" hint={d.io === 'float' ? 'The file quantizes its input and dequantizes its output. Measured on LiteRT.js.' : 'The caller quantizes input and dequantizes output. Measured on tfjs-tflite, since LiteRT.js cannot pass int8 tensors (its int8 kernels are faster).'} value={d.io} options={IO} disabled={!d.tflite || !int8} onChange={(io) => setDeploy({ io })} />
      <p className="hint">
        {d.tflite && !int8
          ? 'No int8 file: the format above is not full-integer INT8. The float32 .tflite is still exported and measured.'
          : 'After compressing, exports .tflite files and runs them on TFLite’s wasm runtime in the browser (LiteRT.js): real int8 accuracy and latency, downloads and a microcontroller fit check under Deploy in the results. Adds a few seconds.'}
      </p>
    </fieldset>
  );
}
