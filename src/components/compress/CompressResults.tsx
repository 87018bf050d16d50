import type { ReactNode } from 'react';
import { useStudio } from '../../state/store';
import type { CompressJobResult } from '../../engine/jobs/results';
import { CompareCharts } from './CompareCharts';
import { ConfusionMatrix } from './ConfusionMatrix';
import { FlippedGallery } from './FlippedGallery';
import { LayerView } from './LayerView';
import { MetricCards } from './MetricCards';
import { RunSummary } from './RunSummary';
import { StagesTable } from './StagesTable';
import { DeploySection } from '../deploy/DeploySection';

/**
 * The last compression run's views, one per tab, each laid out the same way with or without a
 * result (placeholders keep their size). A new run replaces them only when it finishes; while it
 * runs, the previous result stays, dimmed.
 */
function RunView({ testId, children }: { testId?: string; children: (r: CompressJobResult | undefined) => ReactNode }) {
  const r = useStudio((s) => s.compress);
  const stale = useStudio((s) => s.running?.type === 'compress') && !!r;
  return (
    <div className={`compress-results${stale ? ' stale' : ''}`} data-testid={testId} aria-busy={stale}>
      {children(r)}
    </div>
  );
}

/** Every figure of the run: where it ran, all the cards, the accuracy and latency charts, the stages. */
export function DetailsTab() {
  return (
    <RunView testId="compress-results">
      {(r) => (
        <>
          <RunSummary r={r} />
          <MetricCards r={r} />
          <CompareCharts r={r} />
          <StagesTable r={r} />
        </>
      )}
    </RunView>
  );
}

export const LayersTab = () => <RunView>{(r) => <LayerView layers={r?.layers} />}</RunView>;
export const ConfusionTab = () => <RunView>{(r) => <ConfusionMatrix r={r} />}</RunView>;
export const FlippedTab = () => <RunView>{(r) => <FlippedGallery r={r} />}</RunView>;
export const DeployTab = () => <RunView>{(r) => <DeploySection r={r} />}</RunView>;
