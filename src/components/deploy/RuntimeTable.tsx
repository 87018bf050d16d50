import type { TfliteModelEvaluation } from '../../engine/jobs/tflite-eval';
import type { CompressJobResult } from '../../engine/jobs/results';
import { formatMs, formatPercent } from '../format';

const dash = '—';

/** "simulated int8" for an int8 run, else the format tfjs ran ("float16", "float32"). */
function simulatedLabel(r: CompressJobResult): string {
  return r.after.format === 'int8' ? 'simulated int8' : r.after.format;
}

function agreementText(m: TfliteModelEvaluation | undefined, count: number): string {
  const a = m?.agreement;
  if (!a) return dash;
  return `${formatPercent(a.fraction, 1)} (${a.identical.toLocaleString('en')} of ${count.toLocaleString('en')})`;
}

/**
 * The exported files measured on the TFLite runtime (real int8 kernels for the int8 file) beside
 * what the tfjs simulation reported for the same test records, in separately labelled columns.
 */
export function RuntimeTable({ r }: { r: CompressJobResult }) {
  const t = r.tflite;
  if (!t) return null;
  const int8 = t.models.find((m) => m.label === 'int8');
  const f32 = t.models.find((m) => m.label === 'float32');
  const last = t.testRecords.first + t.testRecords.count - 1;
  const runs = (int8 ?? f32)?.latency.runs ?? 0;
  return (
    <div className="runtime-table" data-testid="deploy-runtime">
      <table>
        <thead>
          <tr>
            <td />
            <th scope="colgroup" colSpan={2} className="group-tflite">
              TFLite runtime (wasm, real int8 kernels)
            </th>
            <th scope="colgroup" className="group-tfjs">
              tfjs simulation
            </th>
          </tr>
          <tr>
            <td />
            <th scope="col" className="group-tflite">
              int8 .tflite
            </th>
            <th scope="col" className="group-tflite">
              float32 .tflite
            </th>
            <th scope="col" className="group-tfjs">
              {simulatedLabel(r)}
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Top-1 accuracy</th>
            <td data-testid="deploy-int8-accuracy">{int8 ? formatPercent(int8.metrics.accuracy) : dash}</td>
            <td data-testid="deploy-float32-accuracy">{f32 ? formatPercent(f32.metrics.accuracy) : dash}</td>
            <td data-testid="deploy-sim-accuracy">{formatPercent(r.after.metrics.accuracy)}</td>
          </tr>
          <tr>
            <th scope="row">Identical predictions with {simulatedLabel(r)}</th>
            <td data-testid="deploy-agreement">{agreementText(int8, t.testRecords.count)}</td>
            <td>{agreementText(f32, t.testRecords.count)}</td>
            <td>{dash}</td>
          </tr>
          <tr>
            <th scope="row">Latency p50, batch 1</th>
            <td data-testid="deploy-int8-p50">{int8 ? formatMs(int8.latency.medianMs) : dash}</td>
            <td data-testid="deploy-float32-p50">{f32 ? formatMs(f32.latency.medianMs) : dash}</td>
            <td>
              {formatMs(r.after.latency.medianMs)} <span className="qualifier">float kernels</span>
            </td>
          </tr>
          <tr>
            <th scope="row">Latency p95, batch 1</th>
            <td data-testid="deploy-int8-p95">{int8 ? formatMs(int8.latency.p95Ms) : dash}</td>
            <td>{f32 ? formatMs(f32.latency.p95Ms) : dash}</td>
            <td>
              {formatMs(r.after.latency.p95Ms)} <span className="qualifier">float kernels</span>
            </td>
          </tr>
          <tr className="speedup">
            <th scope="row">int8 speed-up (float32 p50 ÷ int8 p50)</th>
            <td colSpan={2} data-testid="deploy-speedup">
              {t.int8Speedup !== undefined ? `${t.int8Speedup.toFixed(2)}×` : dash}
            </td>
            <td className="qualifier">none: tfjs has no int8 kernels</td>
          </tr>
        </tbody>
      </table>
      <p className="deploy-caption" data-testid="deploy-runtime-note">
        {t.runtime.name}, {t.runtime.threads} thread{t.runtime.threads === 1 ? '' : 's'}; {t.testRecords.count.toLocaleString('en')} test records ({t.testRecords.first}–{last}), the same as the tfjs figures; latency over {runs} timed runs
        per file, interleaved. The tfjs column is the engine’s simulation (integer arithmetic emulated on float kernels), not a runtime measurement of int8.
      </p>
      {t.caveats.map((c) => (
        <p key={c} className="caveat">
          {c}
        </p>
      ))}
    </div>
  );
}
