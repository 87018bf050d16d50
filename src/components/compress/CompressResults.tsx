import { useStudio } from '../../state/store';
import { CompareCharts } from './CompareCharts';
import { ConfusionMatrix } from './ConfusionMatrix';
import { FlippedGallery } from './FlippedGallery';
import { LayerView } from './LayerView';
import { MetricCards } from './MetricCards';
import { RunSummary } from './RunSummary';
import { StagesTable } from './StagesTable';
import { DeploySection } from '../deploy/DeploySection';

/**
 * The last compression run, laid out the same way with or without a result (placeholders keep
 * their size), so nothing below moves when results arrive. A new run replaces it only when it
 * finishes; while it runs, the previous result stays and says so.
 */
export function CompressResults() {
  const r = useStudio((s) => s.compress);
  const stale = useStudio((s) => s.running?.type === 'compress') && !!r;
  return (
    <div className={`compress-results${stale ? ' stale' : ''}`} data-testid="compress-results" aria-busy={stale}>
      <RunSummary r={r} stale={stale} />
      <MetricCards r={r} />
      <CompareCharts r={r} />
      <h3>Per layer</h3>
      <LayerView layers={r?.layers} />
      <h3>Confusion</h3>
      <ConfusionMatrix r={r} />
      <h3>Flipped predictions</h3>
      <FlippedGallery r={r} />
      <StagesTable r={r} />
      <DeploySection r={r} />
    </div>
  );
}
