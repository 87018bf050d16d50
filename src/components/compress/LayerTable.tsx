import type { LayerReport } from '../../engine/jobs/compress';
import { formatCount, formatDb, formatPercent } from '../format';

/** Per layer: channels and parameters before and after, sparsity and SQNR; a row picks the histogram. */
export function LayerTable({ layers, selected, onSelect }: { layers?: LayerReport[]; selected?: string; onSelect: (name: string) => void }) {
  return (
    <div className="layer-table" data-testid="layer-table">
      <table>
        <caption className="sr-only">Per-layer report</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Channels</th>
            <th scope="col">Params</th>
            <th scope="col">Sparsity</th>
            <th scope="col">Weight SQNR</th>
            <th scope="col">Output SQNR</th>
          </tr>
        </thead>
        <tbody>
          {(layers ?? []).map((l) => (
            <tr key={l.name} className={l.name === selected ? 'selected' : undefined}>
              <th scope="row">
                <button type="button" className="link" aria-pressed={l.name === selected} onClick={() => onSelect(l.name)}>
                  {l.name}
                </button>{' '}
                <span className="op">{l.op}</span>
              </th>
              <td>{l.channelsBefore === l.channelsAfter ? l.channelsAfter : `${l.channelsBefore} → ${l.channelsAfter}`}</td>
              <td>{l.paramsBefore === l.paramsAfter ? formatCount(l.paramsAfter) : `${formatCount(l.paramsBefore)} → ${formatCount(l.paramsAfter)}`}</td>
              <td>{formatPercent(l.sparsity, 1)}</td>
              <td>{l.sqnr ? formatDb(l.sqnr.weightSqnrDb) : '—'}</td>
              <td>{l.sqnr ? formatDb(l.sqnr.outputSqnrDb) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
