import { useStudio } from '../../state/store';
import { FinetunePanel } from './FinetunePanel';
import { OverridesPanel } from './OverridesPanel';
import { PrunePanel } from './PrunePanel';
import { QuantPanel } from './QuantPanel';
import { MeasurePanel } from './MeasurePanel';
import { RunBar } from './RunBar';

/** The compression recipe for the selected baseline, and its Run controls. */
export function CompressPanel() {
  const selectedId = useStudio((s) => s.selectedId);
  return (
    <div className="compress-panel" data-testid="compress-panel">
      <p className="note">
        Compress <strong>{selectedId ?? 'the selected baseline'}</strong>: prune, optionally fine-tune, then quantize; before and after are measured the same way on the same
        test images.
      </p>
      <div className="settings-grid">
        <PrunePanel />
        <FinetunePanel />
        <QuantPanel />
        <MeasurePanel />
      </div>
      <OverridesPanel />
      <RunBar />
    </div>
  );
}
