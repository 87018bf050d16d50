import { useEffect, useState } from 'react';
import { DATASETS } from '../engine/data/registry';
import type { ZooCatalog } from '../engine/types';
import { useStudio } from '../state/store';
import { formatBytes, formatCount, formatPercent } from './format';

/** Every architecture of the study for one dataset, with its size and whether a trained baseline exists. */
export function ZooTable() {
  const baselines = useStudio((s) => s.baselines);
  const [catalog, setCatalog] = useState<ZooCatalog>();
  const [dataset, setDataset] = useState('cifar10');
  useEffect(() => {
    fetch('/models/zoo.json')
      .then((r) => (r.ok ? (r.json() as Promise<ZooCatalog>) : undefined))
      .then(setCatalog, () => setCatalog(undefined));
  }, []);
  if (!catalog) return null;
  const rows = catalog.entries.filter((e) => e.dataset === dataset);
  return (
    <div className="zoo">
      <label className="field inline">
        Input shape of
        <select value={dataset} onChange={(e) => setDataset(e.target.value)}>
          {DATASETS.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label} ({d.shape.join('x')}, {d.numClasses} classes)
            </option>
          ))}
        </select>
      </label>
      <table>
        <thead>
          <tr>
            <th scope="col">Architecture</th>
            <th scope="col">Params</th>
            <th scope="col">MACs / image</th>
            <th scope="col">float32 size</th>
            <th scope="col">Baseline</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => {
            const b = baselines.find((m) => m.dataset === dataset && m.id.startsWith(e.architecture));
            return (
              <tr key={e.architecture} title={e.notes}>
                <th scope="row">{e.label}</th>
                <td>{formatCount(e.params)}</td>
                <td>{formatCount(e.macs)}</td>
                <td>{formatBytes(e.float32Bytes)}</td>
                <td data-testid={`zoo-${e.architecture}`}>{b ? `trained: ${formatPercent(b.testAccuracy)}` : <span className="untrained">untrained — accuracy is chance ({formatPercent(1 / e.numClasses, 0)})</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
