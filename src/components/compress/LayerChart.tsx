import { Bar, CartesianGrid, Cell, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { LayerReport } from '../../engine/jobs/compress';
import { AFTER_COLOR, AXIS_TICK, FILTERS_COLOR, legendOrder, SELECTED_COLOR, SQNR_COLORS } from './chart-theme';
import { ChartFrame } from './ChartFrame';

const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

/** Per layer: sparsity (bars, left axis) and quantization SQNR of weights and outputs (lines, right axis). */
export function LayerChart({ layers, selected, onSelect }: { layers?: LayerReport[]; selected?: string; onSelect: (name: string) => void }) {
  const data = (layers ?? []).map((l) => ({
    name: l.name,
    sparsity: l.sparsity * 100,
    filtersRemoved: l.channelsBefore > 0 ? (1 - l.channelsAfter / l.channelsBefore) * 100 : 0,
    weightSqnr: finite(l.sqnr?.weightSqnrDb),
    outputSqnr: finite(l.sqnr?.outputSqnrDb),
  }));
  const hasSqnr = data.some((d) => d.weightSqnr !== null || d.outputSqnr !== null);
  // Structured pruning removes whole filters (the kernels left are dense), so show that too.
  const hasFilters = data.some((d) => d.filtersRemoved > 0);
  return (
    <ChartFrame
      title={hasFilters ? 'Per layer: sparsity, filters removed and quantization SQNR' : 'Per layer: sparsity and quantization SQNR'}
      testId="chart-layers"
      height={240}
      empty={layers ? undefined : 'No compression run yet.'}
      caption={layers && !hasSqnr ? 'No SQNR: this run did not quantize.' : 'SQNR: signal-to-quantization-noise ratio; higher is more faithful (about 6 dB per bit). Click a bar to see its weights.'}
    >
      <ComposedChart data={data} margin={{ top: 10, right: 8, bottom: 0, left: 0 }} onClick={(e) => typeof e?.activeLabel === 'string' && onSelect(e.activeLabel)}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" tick={AXIS_TICK} interval={0} angle={data.length > 8 ? -35 : 0} textAnchor={data.length > 8 ? 'end' : 'middle'} height={data.length > 8 ? 60 : 30} />
        <YAxis yAxisId="sparsity" tick={AXIS_TICK} domain={[0, 100]} unit="%" width={48} />
        {hasSqnr && <YAxis yAxisId="sqnr" orientation="right" tick={AXIS_TICK} unit=" dB" width={56} />}
        <Tooltip formatter={(v, name) => (typeof v === 'number' ? (name === 'Sparsity' || name === 'Filters removed' ? `${v.toFixed(1)}%` : `${v.toFixed(1)} dB`) : String(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={legendOrder} />
        <Bar yAxisId="sparsity" dataKey="sparsity" name="Sparsity" fill={AFTER_COLOR} isAnimationActive={false} cursor="pointer">
          {data.map((d) => (
            <Cell key={d.name} fill={d.name === selected ? SELECTED_COLOR : AFTER_COLOR} />
          ))}
        </Bar>
        {hasFilters && <Bar yAxisId="sparsity" dataKey="filtersRemoved" name="Filters removed" fill={FILTERS_COLOR} isAnimationActive={false} />}
        {hasSqnr && <Line yAxisId="sqnr" dataKey="weightSqnr" name="Weight SQNR" stroke={SQNR_COLORS.weight} strokeWidth={2} isAnimationActive={false} connectNulls />}
        {hasSqnr && <Line yAxisId="sqnr" dataKey="outputSqnr" name="Output SQNR" stroke={SQNR_COLORS.output} strokeWidth={2} isAnimationActive={false} connectNulls />}
      </ComposedChart>
    </ChartFrame>
  );
}
