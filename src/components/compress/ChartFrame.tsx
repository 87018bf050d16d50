import type { ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';
import { CHART_HEIGHT } from './chart-theme';

const FILL_MIN_HEIGHT = 150;

/**
 * A titled chart of fixed height (or, with height 'fill', of the height its box gives it, at
 * least FILL_MIN_HEIGHT): the chart when there is data, a placeholder of the same size when there
 * is none, so nothing moves when a result arrives.
 */
export function ChartFrame({ title, testId, height = CHART_HEIGHT, empty, children, caption }: { title: string; testId: string; height?: number | 'fill'; empty?: string; children: ReactNode; caption?: ReactNode }) {
  const fill = height === 'fill';
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className={`chart-body${fill ? ' fill' : ''}`} style={fill ? { minHeight: FILL_MIN_HEIGHT } : { height }}>
        {empty ? (
          <p className="chart-empty">{empty}</p>
        ) : fill ? (
          // Absolutely placed, so the chart takes the box's size once the layout has given it one.
          <div className="chart-fill">
            <ResponsiveContainer width="100%" height="100%">
              {children}
            </ResponsiveContainer>
          </div>
        ) : (
          <ResponsiveContainer width="100%" height={height}>
            {children}
          </ResponsiveContainer>
        )}
      </div>
      {caption && <p className="chart-caption">{caption}</p>}
    </figure>
  );
}
