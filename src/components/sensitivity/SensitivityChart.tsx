import { Cell, CartesianGrid, ComposedChart, Line, Scatter, XAxis, YAxis } from 'recharts';
import type { SensitivityMetric } from '../../state/sensitivity-slice';
import { DIVERGENCE_FLOOR, INT8_X, type LayerSeries } from '../../state/sensitivity-view';
import { AXIS_TICK, seriesColor } from '../compress/chart-theme';
import { ChartFrame } from '../compress/ChartFrame';

export const SENSITIVITY_CHART_HEIGHT = 320;

/** Opacity of the other layers while one is highlighted: still there for context, out of the way. */
const DIMMED = 0.2;

/** Powers of ten from the floor to above the largest value, for the log axis. */
function decades(series: readonly LayerSeries[]): number[] {
  const max = Math.max(DIVERGENCE_FLOOR, ...series.flatMap((s) => [...s.points.map((p) => p.y), s.int8.y]));
  const out: number[] = [];
  for (let e = Math.log10(DIVERGENCE_FLOOR); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

const xTick = (v: number) => (v === INT8_X ? 'int8' : `${v}%`);

/**
 * Each layer's curve against sparsity (one line per layer, coloured by its place in the network),
 * its int8 trial as a diamond in the int8 column, and, after a run with sensitivity allocation, a
 * triangle at the sparsity the run chose for it. The highlighted layer is drawn thick and the
 * others faded; hovering a line highlights it. Data come in; nothing is computed here.
 */
export function SensitivityChart({ series, metric, active, onHover, title }: { series: LayerSeries[]; metric: SensitivityMetric; active?: string; onHover: (layer: string | undefined) => void; title: string }) {
  const color = (i: number) => seriesColor(i, series.length);
  const opacity = (layer: string) => (active === undefined || active === layer ? 1 : DIMMED);
  const int8 = series.map((s) => ({ ...s.int8, layer: s.layer }));
  const chosen = series.flatMap((s, i) => (s.chosen?.y !== undefined ? [{ x: s.chosen.x, y: s.chosen.y, layer: s.layer, i }] : []));
  const accuracy = metric === 'accuracy';
  return (
    <ChartFrame
      title={title}
      testId="chart-sensitivity"
      height={SENSITIVITY_CHART_HEIGHT}
      empty={series.length ? undefined : 'No analysis of this model yet: run it above.'}
      caption={
        accuracy
          ? 'Accuracy on the held-back training images with only that layer compressed; every line starts at 0% from the unchanged model. Diamonds: the layer’s weights on the int8 grid instead.'
          : `Mean KL divergence of the predictions from the unchanged model’s, in nats, on a log scale (values below ${DIVERGENCE_FLOOR.toExponential(0)} drawn at it). Diamonds: the layer in int8.`
      }
    >
      <ComposedChart margin={{ top: 10, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" dataKey="x" domain={[INT8_X - 6, 100]} ticks={[INT8_X, 0, 20, 40, 60, 80, 100]} tickFormatter={xTick} tick={AXIS_TICK} allowDuplicatedCategory={false} />
        {accuracy ? (
          <YAxis type="number" dataKey="y" unit="%" domain={[(min: number) => Math.max(0, Math.floor(min / 10) * 10), 100]} tick={AXIS_TICK} width={48} />
        ) : (
          <YAxis type="number" dataKey="y" scale="log" domain={[DIVERGENCE_FLOOR, 'auto']} ticks={decades(series)} tickFormatter={(v: number) => v.toExponential(0)} allowDataOverflow tick={AXIS_TICK} width={48} />
        )}
        {series.map((s, i) => (
          <Line
            key={s.layer}
            data={s.points}
            dataKey="y"
            name={s.layer}
            stroke={color(i)}
            strokeWidth={active === s.layer ? 3.5 : 1.5}
            strokeOpacity={opacity(s.layer)}
            dot={{ r: active === s.layer ? 3.5 : 2, fillOpacity: opacity(s.layer), strokeOpacity: opacity(s.layer) }}
            activeDot={false}
            isAnimationActive={false}
            onMouseEnter={() => onHover(s.layer)}
            onMouseLeave={() => onHover(undefined)}
          />
        ))}
        <Scatter name="int8" data={int8} shape="diamond" isAnimationActive={false}>
          {int8.map((p, i) => (
            <Cell key={p.layer} fill={color(i)} fillOpacity={opacity(p.layer)} />
          ))}
        </Scatter>
        <Scatter name="chosen by the run" data={chosen} shape="triangle" isAnimationActive={false}>
          {chosen.map((p) => (
            <Cell key={p.layer} fill="#fff" stroke={color(p.i)} strokeWidth={2} strokeOpacity={opacity(p.layer)} fillOpacity={opacity(p.layer)} />
          ))}
        </Scatter>
      </ComposedChart>
    </ChartFrame>
  );
}
