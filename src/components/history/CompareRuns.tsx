import { modelLabel } from '../../state/model-label';
import { recipeLabel, type RunRecord } from '../../state/run-record';
import { useStudio } from '../../state/store';
import { formatBytes, formatChange, formatCount, formatMs, formatPercent, formatPoints } from '../format';
import { packedBytes } from '../compress/metric-rows';
import { peakAfter } from './run-figures';

interface Row {
  label: string;
  a: string;
  b: string;
  /** B against A, where that means something. */
  diff?: string;
}

function rows(a: RunRecord, b: RunRecord, label: (id: string) => string): Row[] {
  const ra = a.result;
  const rb = b.result;
  const bytes = (label: string, x: number, y: number): Row => ({ label, a: formatBytes(x), b: formatBytes(y), diff: formatChange(x, y) });
  const pct = (label: string, x: number, y: number): Row => ({ label, a: formatPercent(x), b: formatPercent(y), diff: formatPoints(x, y) });
  return [
    { label: 'Model', a: label(a.modelId), b: label(b.modelId) },
    { label: 'Recipe', a: recipeLabel(a.settings), b: recipeLabel(b.settings) },
    { label: 'Test records', a: `${ra.dataset} ${ra.testRecords.first}–${ra.testRecords.first + ra.testRecords.count - 1}`, b: `${rb.dataset} ${rb.testRecords.first}–${rb.testRecords.first + rb.testRecords.count - 1}` },
    { label: 'Backend', a: ra.backend, b: rb.backend },
    pct('Accuracy after', ra.after.metrics.accuracy, rb.after.metrics.accuracy),
    pct('Baseline accuracy', ra.before.metrics.accuracy, rb.before.metrics.accuracy),
    pct('Macro recall after', ra.after.metrics.macroRecall, rb.after.metrics.macroRecall),
    bytes('Deployed size', ra.after.size.deployedBytes, rb.after.size.deployedBytes),
    bytes('gzip', packedBytes(ra.after).gzip, packedBytes(rb.after).gzip),
    bytes('Sparse (bitmask)', packedBytes(ra.after).sparse, packedBytes(rb.after).sparse),
    { label: 'Latency p50', a: formatMs(ra.after.latency.medianMs), b: formatMs(rb.after.latency.medianMs), diff: formatChange(ra.after.latency.medianMs, rb.after.latency.medianMs) },
    { label: 'Effective MACs', a: formatCount(ra.after.effectiveMacs), b: formatCount(rb.after.effectiveMacs), diff: formatChange(ra.after.effectiveMacs, rb.after.effectiveMacs) },
    bytes('Peak activations', peakAfter(a), peakAfter(b)),
    { label: 'Flipped predictions', a: ra.flippedCount.toLocaleString('en'), b: rb.flippedCount.toLocaleString('en') },
  ];
}

/** Two runs side by side, with B's change against A. */
export function CompareRuns({ pair }: { pair: RunRecord[] }) {
  const userModels = useStudio((s) => s.userModels);
  const baselines = useStudio((s) => s.baselines);
  if (pair.length < 2) {
    return (
      <p className="hint compare-hint" data-testid="compare-hint">
        {pair.length === 0 ? 'Tick two runs to compare them side by side.' : 'Tick one more run to compare.'}
      </p>
    );
  }
  const [a, b] = pair;
  return (
    <table className="compare-table" data-testid="compare-table">
      <caption>Comparison (after compression)</caption>
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">A: {a.name}</th>
          <th scope="col">B: {b.name}</th>
          <th scope="col">B vs A</th>
        </tr>
      </thead>
      <tbody>
        {rows(a, b, (id) => modelLabel({ userModels, baselines }, id)).map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>{r.a}</td>
            <td>{r.b}</td>
            <td className="num">{r.diff ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
