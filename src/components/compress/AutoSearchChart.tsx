import { CartesianGrid, Legend, ReferenceLine, Scatter, ScatterChart, Symbols, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from 'recharts';
import { autoChartData, type AutoChartPoint, type AutoSearchState } from '../../state/auto-slice';
import { AFTER_COLOR, AXIS_TICK, BEFORE_COLOR, SELECTED_COLOR } from './chart-theme';
import { ChartFrame } from './ChartFrame';

const OVER_COLOR = '#c0392b';

interface ShapeProps {
  cx?: number;
  cy?: number;
}

/** The pick: a star over the other candidates. */
function pickShape(props: unknown) {
  const { cx = 0, cy = 0 } = props as ShapeProps;
  return <Symbols cx={cx} cy={cy} type="star" size={180} fill={SELECTED_COLOR} stroke="#8a5a00" strokeWidth={1} />;
}

function CandidateTip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as AutoChartPoint | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="chart-tip">
      {p.sparsityPct.toFixed(1)}% pruned
      <br />
      {p.kB.toFixed(1)} kB gzip'd · held-back {p.accuracy.toFixed(2)}%
    </div>
  );
}

/** Every candidate the search tried: gzip'd size against held-back accuracy, the pick starred, the budget as a line. */
export function AutoSearchChart({ auto }: { auto: AutoSearchState }) {
  const d = auto.tried.length ? autoChartData(auto.tried, auto.result, auto.budget) : undefined;
  return (
    <ChartFrame
      title="Candidates: size (gzip'd, kB) against accuracy on held-back training images"
      testId="chart-auto"
      height={250}
      empty={d ? undefined : 'No search yet: each candidate the search tries appears here.'}
      caption="Accuracy is on held-back training images, never the test records; the grey dashed line is the unchanged model’s, the red one the budget. The star is the pick."
    >
      <ScatterChart margin={{ top: 10, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" dataKey="kB" name="size" unit=" kB" tick={AXIS_TICK} domain={['auto', 'auto']} />
        <YAxis type="number" dataKey="accuracy" name="accuracy" unit="%" tick={AXIS_TICK} width={52} domain={['auto', 'auto']} />
        <Tooltip content={CandidateTip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {d?.baselineAccuracy !== undefined && <ReferenceLine y={d.baselineAccuracy} stroke={BEFORE_COLOR} strokeDasharray="4 4" />}
        {d?.minAccuracy !== undefined && <ReferenceLine y={d.minAccuracy} stroke={OVER_COLOR} strokeDasharray="6 3" />}
        {d?.maxKB !== undefined && <ReferenceLine x={d.maxKB} stroke={OVER_COLOR} strokeDasharray="6 3" />}
        <Scatter name="within the budget" data={d?.meets ?? []} fill={AFTER_COLOR} isAnimationActive={false} />
        <Scatter name="over the budget" data={d?.over ?? []} fill={OVER_COLOR} isAnimationActive={false} />
        <Scatter name="pick" data={d?.pick ?? []} fill={SELECTED_COLOR} shape={pickShape} legendType="star" isAnimationActive={false} />
      </ScatterChart>
    </ChartFrame>
  );
}
