import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { ArenaPlan } from '../../engine/export/mcu-fit';
import { AFTER_COLOR, AXIS_TICK, SELECTED_COLOR } from '../compress/chart-theme';
import { ChartFrame } from '../compress/ChartFrame';

/** Boards are specified in KB of 1024 bytes. */
const KB = 1024;

const RAM_COLOR = '#a4161a';
const ARENA_COLOR = '#34405a';

interface Point {
  index: number;
  op: string;
  output: string;
  liveKb: number;
}

function PointTooltip({ active, payload }: { active?: boolean; payload?: ReadonlyArray<{ payload?: Point }> }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        op {p.index}: {p.op}
      </strong>
      <br />
      output {p.output}
      <br />
      {p.liveKb.toFixed(1)} KB alive
    </div>
  );
}

/**
 * Bytes of the activation tensors alive while each operator of an exported file runs (the arena
 * plan's per-op liveness), with the arena estimate and, when it is in range, the board's RAM.
 */
export function LiveBytesChart({ plan, fileLabel, ramBytes }: { plan?: ArenaPlan; fileLabel: string; ramBytes?: number }) {
  const data: Point[] = (plan?.perOp ?? []).map((o) => ({ index: o.index, op: o.op, output: o.output, liveKb: o.liveBytes / KB }));
  const arenaKb = (plan?.arenaBytes ?? 0) / KB;
  // A board with far more RAM than the arena would flatten the bars; it is in the verdict anyway.
  const ramKb = ramBytes !== undefined && ramBytes <= 3 * (plan?.arenaBytes ?? 0) ? ramBytes / KB : undefined;
  return (
    <ChartFrame
      title={`Live tensor bytes per operator (${fileLabel})`}
      testId="chart-live-bytes"
      height={230}
      empty={plan ? undefined : 'No .tflite file to plan.'}
      caption={
        plan
          ? `Bars: activations alive while each operator runs, by operator index (hover for its name); 16-byte aligned; the peak is highlighted. Dashed: the planned arena (${arenaKb.toFixed(1)} KB), which fragmentation can make larger than the peak.${ramKb !== undefined ? ' Red: the board’s RAM.' : ''}`
          : undefined
      }
    >
      <BarChart data={data} margin={{ top: 14, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="index" tick={AXIS_TICK} interval="preserveStartEnd" />
        <YAxis tick={AXIS_TICK} unit=" KB" width={64} domain={[0, 'auto']} />
        <Tooltip content={<PointTooltip />} />
        <Bar dataKey="liveKb" name="Live bytes" fill={AFTER_COLOR} isAnimationActive={false}>
          {data.map((d) => (
            <Cell key={d.index} fill={d.index === plan?.peakOp ? SELECTED_COLOR : AFTER_COLOR} />
          ))}
        </Bar>
        <ReferenceLine y={arenaKb} stroke={ARENA_COLOR} strokeDasharray="5 4" ifOverflow="extendDomain" label={{ value: `arena ${arenaKb.toFixed(1)} KB`, position: 'insideTopRight', fontSize: 11, fill: ARENA_COLOR }} />
        {ramKb !== undefined && <ReferenceLine y={ramKb} stroke={RAM_COLOR} strokeWidth={2} ifOverflow="extendDomain" label={{ value: `board RAM ${ramKb.toFixed(0)} KB`, position: 'insideBottomRight', fontSize: 11, fill: RAM_COLOR }} />}
      </BarChart>
    </ChartFrame>
  );
}
