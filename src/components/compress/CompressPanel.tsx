import { modelLabel } from '../../state/model-label';
import { useStudio } from '../../state/store';
import { FinetunePanel } from './FinetunePanel';
import { OverridesPanel } from './OverridesPanel';
import { PrunePanel } from './PrunePanel';
import { QuantPanel } from './QuantPanel';
import { MeasurePanel } from './MeasurePanel';
import { RunBar } from './RunBar';
import { TfliteOption } from '../deploy/TfliteOption';

/** The compression recipe for the selected baseline, and its Run controls. */
export function CompressPanel() {
  const selected = useStudio((s) => (s.selectedId ? modelLabel(s, s.selectedId) : undefined));
  return (
    <div className="compress-panel" data-testid="compress-panel">
      <p className="note">
        Compress <strong>{selected ?? 'the selected model'}</strong>: prune, optionally fine-tune, then quantize; before and after are measured the same way on the same
        test images.
      </p>
      <div className="settings-grid">
        <PrunePanel />
        <FinetunePanel />
        <QuantPanel />
        <MeasurePanel />
      </div>
      <TfliteOption />
      <OverridesPanel />
      <RunBar />
    </div>
  );
}
