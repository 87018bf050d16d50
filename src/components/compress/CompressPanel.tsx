import { FinetunePanel } from './FinetunePanel';
import { OverridesPanel } from './OverridesPanel';
import { PruneMorePanel, PrunePanel } from './PrunePanel';
import { CalibrationPanel, QuantPanel } from './QuantPanel';
import { MeasurePanel } from './MeasurePanel';
import { RunBar } from './RunBar';
import { TfliteOption } from '../deploy/TfliteOption';

/**
 * The compression recipe for the selected model: its main knobs (pruning method and sparsity,
 * quantization) and Compress first, so they fit the first screen; every other setting under
 * "More settings" (the column scrolls).
 */
export function CompressPanel() {
  return (
    <div className="compress-panel" data-testid="compress-panel">
      <PrunePanel />
      <QuantPanel />
      <RunBar />
      <h3 className="more-settings">More settings</h3>
      <div className="settings-grid">
        <FinetunePanel />
        <PruneMorePanel />
        <CalibrationPanel />
        <MeasurePanel />
      </div>
      <TfliteOption />
      <OverridesPanel />
    </div>
  );
}
