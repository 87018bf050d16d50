import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { LayerReport } from '../../engine/jobs/compress';
import { AFTER_COLOR, AXIS_TICK, BEFORE_COLOR, legendOrder } from './chart-theme';
import { ChartFrame } from './ChartFrame';

/**
 * One layer's kernel weights before and after, over the engine's shared bins: pruning shows as a
 * spike at zero, int8 as weights gathered on the quantization grid.
 */
export function WeightHistogram({ layer }: { layer?: LayerReport }) {
  const [sqrtScale, setSqrtScale] = useState(false);
  const h = layer?.histogram;
  const width = h ? (h.max - h.min) / h.before.length : 0;
  const data = h ? h.before.map((before, i) => ({ x: (h.min + (i + 0.5) * width).toFixed(3), before, after: h.after[i] })) : [];
  return (
    <div className="histogram">
      <ChartFrame
        title={layer ? `Weights of ${layer.name} (${layer.op})` : 'Weights of a layer'}
        testId="chart-histogram"
        height={220}
        empty={layer ? undefined : 'No compression run yet.'}
        caption="Kernel weights, before and after (after: the weights the compressed model computes with)."
      >
        <BarChart data={data} margin={{ top: 10, right: 22, bottom: 0, left: 0 }} barCategoryGap={0} barGap={0}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="x" tick={AXIS_TICK} interval={9} />
          <YAxis tick={AXIS_TICK} width={48} scale={sqrtScale ? 'sqrt' : 'auto'} domain={[0, 'auto']} />
          <Tooltip labelFormatter={(x) => `weight ≈ ${String(x)}`} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={legendOrder} />
          <Bar dataKey="before" name="Before" fill={BEFORE_COLOR} isAnimationActive={false} />
          <Bar dataKey="after" name="After" fill={AFTER_COLOR} isAnimationActive={false} />
        </BarChart>
      </ChartFrame>
      <label className="check small">
        <input type="checkbox" checked={sqrtScale} onChange={(e) => setSqrtScale(e.target.checked)} />
        Square-root count scale (shows the tails next to the spike at zero)
      </label>
    </div>
  );
}
