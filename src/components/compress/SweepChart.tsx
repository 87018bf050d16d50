import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SweepState } from '../../state/sweep-slice';
import { AFTER_COLOR, AXIS_TICK, BEFORE_COLOR } from './chart-theme';
import { ChartFrame } from './ChartFrame';

const GZIP_COLOR = '#2a9d5c';
const DEPLOYED_COLOR = '#d07a00';

/** Accuracy (left axis) and size (right axis) after compression against sparsity, one point per sweep run. */
export function SweepChart({ sweep }: { sweep: SweepState }) {
  const data = sweep.points.map((p) => ({ sparsity: p.sparsity * 100, accuracy: p.accuracy * 100, gzip: p.gzipBytes / 1000, deployed: p.deployedBytes / 1000 }));
  const fmt = (v: unknown, name: unknown) => (typeof v === 'number' ? (name === 'Accuracy' ? `${v.toFixed(2)}%` : `${v.toFixed(1)} kB`) : String(v));
  return (
    <ChartFrame
      title={`Accuracy and size against sparsity${sweep.recipe ? ` (${sweep.modelId}, ${sweep.recipe})` : ''}`}
      testId="chart-sweep"
      height={250}
      empty={data.length ? undefined : 'No sweep yet: each sparsity adds a point as its run finishes.'}
      caption="Accuracy is after compression on the run’s test images; the grey dashed line is the baseline’s. gzip is where unstructured sparsity shows; the deployed (dense) size falls only when whole filters go."
    >
      <LineChart data={data} margin={{ top: 14, right: 8, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" dataKey="sparsity" unit="%" domain={[0, 100]} ticks={[0, 20, 40, 60, 80, 100]} tick={AXIS_TICK} />
        <YAxis yAxisId="acc" unit="%" domain={[0, 100]} tick={AXIS_TICK} width={48} />
        <YAxis yAxisId="size" orientation="right" unit=" kB" tick={AXIS_TICK} width={64} />
        <Tooltip formatter={fmt} labelFormatter={(l) => `sparsity ${String(l)}%`} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {sweep.baseline && <ReferenceLine yAxisId="acc" y={sweep.baseline.accuracy * 100} stroke={BEFORE_COLOR} strokeDasharray="4 4" />}
        <Line yAxisId="acc" dataKey="accuracy" name="Accuracy" stroke={AFTER_COLOR} strokeWidth={2} isAnimationActive={false} />
        <Line yAxisId="size" dataKey="gzip" name="gzip size" stroke={GZIP_COLOR} strokeWidth={2} strokeDasharray="6 3" isAnimationActive={false} />
        <Line yAxisId="size" dataKey="deployed" name="Deployed size" stroke={DEPLOYED_COLOR} strokeWidth={1.5} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}
