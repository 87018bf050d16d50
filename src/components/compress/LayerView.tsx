import { useState } from 'react';
import type { LayerReport } from '../../engine/jobs/compress';
import { LayerChart } from './LayerChart';
import { LayerTable } from './LayerTable';
import { WeightHistogram } from './WeightHistogram';

/** The per-layer chart, table and the selected layer's weight histogram. */
export function LayerView({ layers }: { layers?: LayerReport[] }) {
  const [picked, setPicked] = useState<string>();
  // The picked layer if this run has it, else the first layer.
  const layer = layers?.find((l) => l.name === picked) ?? layers?.[0];
  return (
    <div className="layer-view">
      <LayerChart layers={layers} selected={layer?.name} onSelect={setPicked} />
      <div className="layer-detail">
        <LayerTable layers={layers} selected={layer?.name} onSelect={setPicked} />
        <WeightHistogram layer={layer} />
      </div>
    </div>
  );
}
