import { TFLITE_RUNTIMES } from '../../engine/choices/deploy';
import type { RuntimeChoice } from '../../engine/jobs/runtime-choice';

const dash = '—';
// Sub-millisecond medians differ in the third decimal (0.405 vs 0.860 ms), so three are shown there.
const ms = (v: number | undefined) => (v === undefined ? dash : `${v.toFixed(v < 10 ? 3 : 1)} ms`);

/**
 * The runtime chosen by measurement (runtime `measured`): each runtime's int8 and float32 medians as
 * this browser timed them, which one ran the files above, and why in one sentence.
 */
export function RuntimeChoiceTable({ choice }: { choice: RuntimeChoice }) {
  return (
    <div className="runtime-choice" data-testid="deploy-runtime-choice">
      <table>
        <caption>Runtime chosen by measurement, in this browser</caption>
        <thead>
          <tr>
            <th scope="col">Runtime</th>
            <th scope="col">int8 .tflite p50</th>
            <th scope="col">float32 .tflite p50</th>
            <th scope="col">int8 speed-up</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {choice.timings.map((t) => (
            <tr key={t.id} data-testid={`runtime-choice-${t.id}`} className={t.id === choice.chosen ? 'chosen' : undefined}>
              <th scope="row" title={t.name}>
                {TFLITE_RUNTIMES.get(t.id).name}
              </th>
              <td>{ms(t.int8Ms)}</td>
              <td>{ms(t.float32Ms)}</td>
              <td>{t.int8Speedup !== undefined ? `${t.int8Speedup.toFixed(2)}×` : dash}</td>
              <td>{t.id === choice.chosen ? 'used' : ''}</td>
            </tr>
          ))}
          {choice.skipped.map((s) => (
            <tr key={s.id} data-testid={`runtime-choice-${s.id}`}>
              <th scope="row">{TFLITE_RUNTIMES.get(s.id).name}</th>
              <td colSpan={4} className="qualifier">
                not timed: {s.message}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="deploy-caption" data-testid="deploy-runtime-reason">
        Used {TFLITE_RUNTIMES.get(choice.chosen).name}. {choice.reason}
      </p>
    </div>
  );
}
