import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { StudyRow } from '../../engine/study/rows';
import { AFTER_COLOR, AXIS_TICK, BEFORE_COLOR } from '../compress/chart-theme';
import { ChartFrame } from '../compress/ChartFrame';

const PUBLISHED_COLOR = '#d07a00';
const ROW_HEIGHT = 34;

/** Short row names for the chart's axis: "CNN · MNIST: prune 50% + INT8". */
function shortName(r: StudyRow): string {
  return `${r.modelLabel.replace('custom ', '').replace('MobileNetV1', 'MobileNet')} · ${r.datasetLabel}: ${r.methodLabel.replace(' (float32)', '')}`;
}

/** Size reduction (published and yours) and your accuracy change, one bar group per configuration. */
export function StudyChart({ rows }: { rows: StudyRow[] }) {
  const data = rows.map((r) => ({ name: shortName(r), published: r.published?.sizeReductionPct, yours: r.measured?.size.pct, accuracy: r.measured?.accuracyChangePts }));
  const height = 60 + rows.length * ROW_HEIGHT;
  const anyMeasured = data.some((d) => d.yours !== undefined);
  const changes = data.flatMap((d) => (d.accuracy === undefined ? [] : [d.accuracy]));
  const lo = Math.min(-1, Math.floor(Math.min(0, ...changes)));
  const hi = Math.max(1, Math.ceil(Math.max(0, ...changes)));
  // Whole points as ticks, at most about eight of them.
  const stepPts = Math.max(1, Math.ceil((hi - lo) / 8));
  const ticks = Array.from({ length: Math.floor((hi - lo) / stepPts) + 1 }, (_, i) => lo + i * stepPts);
  const fmt = (v: unknown, name: unknown) => (typeof v === 'number' ? (name === 'Your accuracy change' ? `${v.toFixed(2)} points` : `${v.toFixed(2)}%`) : String(v));
  return (
    <div className="study-charts">
      <ChartFrame
        title="Size reduction against float32 (%)"
        testId="chart-study-size"
        height={height}
        empty={rows.length === 0 ? 'No study run yet: each configuration adds its bars as it finishes.' : undefined}
        caption="Orange: the study’s published figure (only pruning + INT8 is published; its models and datasets differ from ours, see the table). Blue: yours."
      >
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} barGap={1}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} unit="%" ticks={[0, 25, 50, 75, 100]} tick={AXIS_TICK} />
          <YAxis type="category" dataKey="name" width={150} tick={AXIS_TICK} interval={0} />
          <Tooltip formatter={fmt} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="published" name="Published" fill={PUBLISHED_COLOR} isAnimationActive={false} />
          <Bar dataKey="yours" name="Yours" fill={AFTER_COLOR} isAnimationActive={false} />
        </BarChart>
      </ChartFrame>
      <ChartFrame
        title="Your accuracy change (percentage points)"
        testId="chart-study-accuracy"
        height={height}
        empty={anyMeasured ? undefined : 'Appears as configurations finish.'}
        caption="After minus before, on the same test records. The study reports accuracy as retained for its pruning + INT8 figures; no number of its is plotted."
      >
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit=" pts" tick={AXIS_TICK} domain={[lo, hi]} ticks={ticks} />
          <YAxis type="category" dataKey="name" width={150} tick={AXIS_TICK} interval={0} />
          <Tooltip formatter={fmt} />
          <ReferenceLine x={0} stroke={BEFORE_COLOR} />
          <Bar dataKey="accuracy" name="Your accuracy change" fill={AFTER_COLOR} isAnimationActive={false} />
        </BarChart>
      </ChartFrame>
    </div>
  );
}
