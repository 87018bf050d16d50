import { CartesianGrid, Legend, Scatter, ScatterChart, Symbols, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from 'recharts';
import type { RunRecord } from '../../state/run-record';
import { modelLabel } from '../../state/model-label';
import { useStudio } from '../../state/store';
import { AXIS_TICK } from '../compress/chart-theme';
import { ChartFrame } from '../compress/ChartFrame';
import { formatBytes, formatPercent } from '../format';
import { SIZE_MEASURES, sizeAfter, type SizeMeasure } from './run-figures';

const RUN_COLOR = '#2156c9';
const CURRENT_COLOR = '#f0a000';

interface Point {
  id: string;
  name: string;
  model: string;
  kB: number;
  accuracy: number;
  /** On the Pareto front: no other run is both smaller (or equal) and more accurate. */
  front: boolean;
}

/** Runs on the front of size (lower is better) against accuracy (higher is better). */
function frontIds(points: Array<{ id: string; kB: number; accuracy: number }>): Set<string> {
  const sorted = [...points].sort((a, b) => a.kB - b.kB || b.accuracy - a.accuracy);
  const front = new Set<string>();
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) {
      front.add(p.id);
      best = p.accuracy;
    }
  }
  return front;
}

interface ShapeProps {
  cx?: number;
  cy?: number;
  payload?: Point;
}

/** A run: filled on the Pareto front, hollow behind it. */
function runShape(props: unknown) {
  const { cx = 0, cy = 0, payload } = props as ShapeProps;
  return <circle cx={cx} cy={cy} r={5} fill={payload?.front ? RUN_COLOR : '#ffffff'} stroke={RUN_COLOR} strokeWidth={1.5} />;
}

/** The run shown in the results: a larger star, drawn over the others. */
function currentShape(props: unknown) {
  const { cx = 0, cy = 0 } = props as ShapeProps;
  return <Symbols cx={cx} cy={cy} type="star" size={180} fill={CURRENT_COLOR} stroke="#8a5a00" strokeWidth={1} />;
}

function RunTip({ active, payload }: TooltipContentProps<TooltipValueType, string | number>) {
  const p = active ? (payload?.[0]?.payload as Point | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="chart-tip">
      <strong>{p.name}</strong>
      <br />
      {p.model}
      <br />
      {formatBytes(p.kB * 1000)} · {formatPercent(p.accuracy / 100)}
      {p.front ? ' · on the Pareto front' : ''}
    </div>
  );
}

/** Size against accuracy after compression, one point per run in the history; the shown run highlighted. */
export function ParetoChart({ runs, measure }: { runs: RunRecord[]; measure: SizeMeasure }) {
  const currentId = useStudio((s) => s.currentRunId);
  const userModels = useStudio((s) => s.userModels);
  const baselines = useStudio((s) => s.baselines);
  const raw = runs.map((r) => ({ id: r.id, name: r.name, model: modelLabel({ userModels, baselines }, r.modelId), kB: sizeAfter(r, measure) / 1000, accuracy: r.result.after.metrics.accuracy * 100 }));
  const front = frontIds(raw);
  const points: Point[] = raw.map((p) => ({ ...p, front: front.has(p.id) }));
  const others = points.filter((p) => p.id !== currentId);
  const current = points.filter((p) => p.id === currentId);
  const label = SIZE_MEASURES.find((m) => m.value === measure)!.label;
  return (
    <ChartFrame
      title={`Size after compression (${label}, kB) against accuracy, every run`}
      testId="chart-pareto"
      height={260}
      empty={runs.length === 0 ? 'No runs yet: each finished compression adds a point.' : undefined}
      caption="Filled points are on the Pareto front (no other run is both smaller and more accurate); the highlighted one is the run shown above."
    >
      <ScatterChart margin={{ top: 10, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" dataKey="kB" name="size" unit=" kB" tick={AXIS_TICK} domain={['auto', 'auto']} />
        <YAxis type="number" dataKey="accuracy" name="accuracy" unit="%" tick={AXIS_TICK} width={52} domain={['auto', 'auto']} />
        <Tooltip content={RunTip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Scatter name="runs" data={others} fill={RUN_COLOR} shape={runShape} isAnimationActive={false} />
        <Scatter name="run shown above" data={current} fill={CURRENT_COLOR} shape={currentShape} legendType="star" isAnimationActive={false} />
      </ScatterChart>
    </ChartFrame>
  );
}
