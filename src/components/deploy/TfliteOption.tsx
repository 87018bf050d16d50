import type { TfliteIo } from '../../engine/export/tflite/from-graph';
import type { RuntimeId } from '../../engine/runtime/model-runtime';
import { runtimeFor } from '../../state/deploy-slice';
import { useStudio } from '../../state/store';
import { CheckboxField, SelectField } from '../compress/fields';
import './deploy.css';

const IO: ReadonlyArray<{ value: TfliteIo; label: string }> = [
  { value: 'float', label: 'float32 in and out' },
  { value: 'int8', label: 'int8 in and out' },
];

const RUNTIMES: ReadonlyArray<{ value: RuntimeId; label: string }> = [
  { value: 'litert', label: 'LiteRT.js (relaxed SIMD)' },
  { value: 'tfjs-tflite', label: 'tfjs-tflite (SIMD)' },
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
      <SelectField label="int8 file I/O" field="tflite.io" testId="tflite-io" hint={d.io === 'float' ? 'The file quantizes its input and dequantizes its output.' : 'The caller quantizes input and dequantizes output.'} value={d.io} options={IO} disabled={!d.tflite || !int8} onChange={(io) => setDeploy({ io })} />
      <SelectField
        label="Runtime"
        field="tflite.runtime"
        testId="tflite-runtime"
        hint={runtimeFor(d) !== d.runtime ? 'int8 I/O runs on tfjs-tflite: LiteRT.js cannot pass int8 tensors.' : d.runtime === 'litert' ? 'Its int8 kernels use relaxed SIMD’s int8 dot product.' : 'The older runtime: SIMD128 int8 kernels.'}
        value={runtimeFor(d)}
        options={RUNTIMES}
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
