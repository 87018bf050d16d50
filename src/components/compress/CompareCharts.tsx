import { Bar, BarChart, CartesianGrid, LabelList, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CompressJobResult } from '../../engine/jobs/results';
import { AFTER_COLOR, AXIS_TICK, BEFORE_COLOR, legendOrder } from './chart-theme';
import { ChartFrame } from './ChartFrame';
import { packedBytes } from './metric-rows';

interface Pair {
  name: string;
  before: number;
  after: number;
}

const NO_RUN = 'No compression run yet.';

/** Grouped bars, before against after, one small chart per unit so each scale is readable. */
function PairChart({ data, unit, digits, domain }: { data: Pair[]; unit: string; digits: number; domain?: [number, number] }) {
  const fmt = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(digits)}${unit}` : String(v));
  return (
    <BarChart data={data} margin={{ top: 18, right: 8, bottom: 0, left: 0 }} barCategoryGap="22%">
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="name" tick={AXIS_TICK} />
      <YAxis tick={AXIS_TICK} width={44} domain={domain} />
      <Tooltip formatter={fmt} />
      <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={legendOrder} />
      <Bar dataKey="before" name="Before" fill={BEFORE_COLOR} isAnimationActive={false}>
        <LabelList dataKey="before" position="top" formatter={fmt} style={{ fontSize: 10, fill: '#4a5468' }} />
      </Bar>
      <Bar dataKey="after" name="After" fill={AFTER_COLOR} isAnimationActive={false}>
        <LabelList dataKey="after" position="top" formatter={fmt} style={{ fontSize: 10, fill: '#1d2330' }} />
      </Bar>
    </BarChart>
  );
}

type Which = 'size' | 'accuracy' | 'latency';

/** One before/after chart of the last run: deployed, gzip and sparse size; accuracy and recall; latency. */
export function CompareChart({ r, which, height }: { r?: CompressJobResult; which: Which; height?: number | 'fill' }) {
  const kB = (bytes: number) => bytes / 1000;
  if (which === 'size') {
    const size: Pair[] = r
      ? [
          { name: 'deployed', before: kB(r.before.size.deployedBytes), after: kB(r.after.size.deployedBytes) },
          { name: 'gzip', before: kB(packedBytes(r.before).gzip), after: kB(packedBytes(r.after).gzip) },
          { name: 'sparse', before: kB(packedBytes(r.before).sparse), after: kB(packedBytes(r.after).sparse) },
        ]
      : [];
    return (
      <ChartFrame title="Size (kB)" testId="chart-size" height={height} empty={r ? undefined : NO_RUN}>
        <PairChart data={size} unit="" digits={1} />
      </ChartFrame>
    );
  }
  if (which === 'accuracy') {
    const quality: Pair[] = r
      ? [
          { name: 'top-1 accuracy', before: r.before.metrics.accuracy * 100, after: r.after.metrics.accuracy * 100 },
          { name: 'macro recall', before: r.before.metrics.macroRecall * 100, after: r.after.metrics.macroRecall * 100 },
        ]
      : [];
    return (
      <ChartFrame title="Accuracy and macro recall (%)" testId="chart-accuracy" height={height} empty={r ? undefined : NO_RUN}>
        <PairChart data={quality} unit="%" digits={1} domain={[0, 100]} />
      </ChartFrame>
    );
  }
  const latency: Pair[] = r
    ? [
        { name: 'p50', before: r.before.latency.medianMs, after: r.after.latency.medianMs },
        { name: 'p95', before: r.before.latency.p95Ms, after: r.after.latency.p95Ms },
      ]
    : [];
  return (
    <ChartFrame title="Latency, batch 1 (ms)" testId="chart-latency" height={height} empty={r ? undefined : NO_RUN}>
      <PairChart data={latency} unit="" digits={2} />
    </ChartFrame>
  );
}

/** The charts of the All figures tab (the size chart is the headline's). */
export function CompareCharts({ r }: { r?: CompressJobResult }) {
  return (
    <div className="compare-charts">
      <CompareChart r={r} which="accuracy" />
      <CompareChart r={r} which="latency" />
    </div>
  );
}
