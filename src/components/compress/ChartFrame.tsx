import type { ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';
import { CHART_HEIGHT } from './chart-theme';

/**
 * A titled chart of fixed height: the chart when there is data, a placeholder of the same size
 * when there is none, so nothing moves when a result arrives.
 */
export function ChartFrame({ title, testId, height = CHART_HEIGHT, empty, children, caption }: { title: string; testId: string; height?: number; empty?: string; children: ReactNode; caption?: ReactNode }) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className="chart-body" style={{ height }}>
        {empty ? (
          <p className="chart-empty">{empty}</p>
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
