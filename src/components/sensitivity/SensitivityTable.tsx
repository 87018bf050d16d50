import type { AllocationRow } from '../../engine/export/sensitivity-section';
import type { SensitivityReport } from '../../engine/recon/sensitivity';
import type { SensitivityMetric } from '../../state/sensitivity-slice';

const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
const cell = (p: { accuracy: number; divergence: number }, metric: SensitivityMetric) => (metric === 'accuracy' ? `${(p.accuracy * 100).toFixed(2)}%` : p.divergence.toExponential(1));

/**
 * The analysis as a plain table, one row per layer in network order: the chosen measure at each
 * sparsity, with int8, and the run's sparsity when it allocated by sensitivity. Each row can take
 * focus, and hovering or focusing it highlights the layer in the chart.
 */
export function SensitivityTable({
  report,
  metric,
  allocation,
  active,
  onHover,
}: {
  report: SensitivityReport;
  metric: SensitivityMetric;
  allocation?: readonly AllocationRow[];
  active?: string;
  onHover: (layer: string | undefined) => void;
}) {
  const sparsities = report.layers[0]?.prune.map((p) => p.sparsity).sort((a, b) => a - b) ?? [];
  const chosen = new Map(allocation?.map((a) => [a.layer, a.sparsity]));
  return (
    <table className="sens-table" data-testid="sens-table">
      <caption>
        {metric === 'accuracy'
          ? `Accuracy on ${report.heldOutImages.toLocaleString('en')} held-back training images with only that layer compressed (unchanged: ${pct(report.baselineAccuracy)})`
          : `KL divergence (nats) from the unchanged model’s predictions on ${report.heldOutImages.toLocaleString('en')} held-back training images, only that layer compressed`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">Weights</th>
          {sparsities.map((s) => (
            <th key={s} scope="col">
              Pruned {pct(s)}
            </th>
          ))}
          <th scope="col">int8</th>
          {allocation && <th scope="col">The run’s sparsity</th>}
        </tr>
      </thead>
      <tbody>
        {report.layers.map((l) => {
          const points = [...l.prune].sort((a, b) => a.sparsity - b.sparsity);
          const c = chosen.get(l.layer);
          return (
            <tr
              key={l.layer}
              tabIndex={0}
              className={active === l.layer ? 'active' : undefined}
              onMouseEnter={() => onHover(l.layer)}
              onMouseLeave={() => onHover(undefined)}
              onFocus={() => onHover(l.layer)}
              onBlur={() => onHover(undefined)}
              data-testid="sens-row"
            >
              <th scope="row">
                {l.layer} <span className="hint">{l.op}</span>
              </th>
              <td>{l.weights.toLocaleString('en')}</td>
              {points.map((p) => (
                <td key={p.sparsity}>{cell(p, metric)}</td>
              ))}
              <td>{cell(l.int8, metric)}</td>
              {allocation && <td data-testid="sens-chosen">{c === undefined ? '—' : pct(c)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
