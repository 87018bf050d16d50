import { useStudio } from '../state/store';
import { formatBytes, formatCount, formatMs, formatPercent } from './format';

export function ResultCard() {
  const result = useStudio((s) => s.result);
  if (!result) return <p className="placeholder">Pick a baseline and press Evaluate. Results appear here.</p>;
  const rows: Array<[string, string, string]> = [
    ['Top-1 accuracy', formatPercent(result.metrics.accuracy), 'accuracy'],
    ['Macro recall', formatPercent(result.metrics.macroRecall), 'recall'],
    ['Latency, batch 1 (median / p95)', `${formatMs(result.latency.medianMs)} / ${formatMs(result.latency.p95Ms)}`, 'latency'],
    ['Size (float32 weights)', formatBytes(result.sizeBytes), 'size'],
    ['Parameters', formatCount(result.params), 'params'],
  ];
  return (
    <div data-testid="result">
      <dl className="result-grid">
        {rows.map(([label, value, key]) => (
          <div key={key} className="result-row">
            <dt>{label}</dt>
            <dd data-testid={`result-${key}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="provenance" data-testid="provenance">
        {result.modelId} on {result.dataset} test records {result.testRecords.first}–{result.testRecords.first + result.testRecords.count - 1} ({result.testRecords.count.toLocaleString('en')} images), backend{' '}
        <strong data-testid="result-backend">{result.backend}</strong>, in {(result.elapsedMs / 1000).toFixed(1)} s.
        {result.backendNote && <span className="note"> Fallback: {result.backendNote}</span>}
      </p>
      {result.caveats.map((c) => (
        <p key={c} className="caveat">
          {c}
        </p>
      ))}
    </div>
  );
}
