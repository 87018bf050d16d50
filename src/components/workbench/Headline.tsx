import { PRUNE_METHODS } from '../../engine/choices/prune-methods';
import type { LivePreview } from '../../state/live-slice';
import { useStudio } from '../../state/store';
import type { CompressJobResult } from '../../engine/jobs/results';
import { CompareChart } from '../compress/CompareCharts';
import { changeClass, emptyRows, metricRows, packedBytes, sizeRow, type MetricRow } from '../compress/metric-rows';
import { formatChange } from '../format';

/** The test id of a figure's value: the ids the result cards always had for a run, preview- ones for a preview. */
const valueId = (key: string, phase: 'before' | 'after', preview: boolean) => (preview ? `preview-${phase}-${key}` : key === 'size' ? `compress-size-${phase}` : `compress-${phase}-${key}`);

const rowsOf = (r: Pick<CompressJobResult, 'before' | 'after'> | undefined): MetricRow[] => (r ? [sizeRow(r), ...metricRows(r)] : (({ size, rows }) => [size, ...rows])(emptyRows()));
const find = (rows: MetricRow[], key: string) => rows.find((x) => x.key === key)!;

/**
 * One headline figure: before and after, and the change. With a preview of this figure, the
 * preview's values are the big ones and the last Compress's are the line under them.
 */
function Figure({ run, preview, sub }: { run: MetricRow; preview?: MetricRow; sub?: string }) {
  const shown = preview ?? run;
  const p = !!preview;
  return (
    <section className={`figure${p ? ' previewed' : ''}`} aria-label={run.label} data-testid={`headline-${run.key}`}>
      <h3>{run.label}</h3>
      <p className="figure-values">
        <span className="figure-before">
          <span className="figure-tag">Before</span> <span data-testid={valueId(run.key, 'before', p)}>{shown.before}</span>
        </span>
        <span className="figure-after">
          <span className="figure-tag">After</span> <strong data-testid={valueId(run.key, 'after', p)}>{shown.after}</strong>
        </span>
      </p>
      <p className={changeClass(shown)} data-testid={p ? `preview-change-${run.key}` : `compress-change-${run.key}`}>
        {shown.change || '\u00a0'}
      </p>
      {p ? (
        <p className="figure-sub figure-run">
          Compress: <span data-testid={valueId(run.key, 'before', false)}>{run.before}</span> → <span data-testid={valueId(run.key, 'after', false)}>{run.after}</span> <span data-testid={`compress-change-${run.key}`}>{run.change}</span>
        </p>
      ) : (
        <p className="figure-sub">{sub ?? '\u00a0'}</p>
      )}
    </section>
  );
}

/** A card's secondary line as "label: before → after". */
const line = (row: MetricRow, label: string) => {
  const l = row.lines.find(([name]) => name === label);
  return l ? `${l[0]}: ${l[1]} → ${l[2]}` : undefined;
};

/**
 * The gzip line with its change: pruning's zeros shrink the stored file, not the dense one, so a
 * pruned run's size cut is this line's (the study measured gzip too).
 */
const gzipLine = (r: CompressJobResult, row: MetricRow) => {
  const l = line(row, 'gzip');
  const [b, a] = [packedBytes(r.before).gzip, packedBytes(r.after).gzip];
  return l && Number.isFinite(b) && Number.isFinite(a) ? `${l} (${formatChange(b, a)})` : l;
};

/** What the headline says it shows: the last Compress, a preview (with its image count), or nothing yet. */
function Status({ r, stale, preview }: { r?: CompressJobResult; stale: boolean; preview?: LivePreview }) {
  const p = preview?.result;
  return (
    <p className="headline-status">
      {stale && (
        <span className="badge" data-testid="compress-stale">
          previous run; a new one is running
        </span>
      )}
      {p && (
        <span className="badge preview" data-testid="preview-badge">
          preview · {p.images.toLocaleString('en')} images{preview.status === 'running' ? ' · updating…' : ''}
        </span>
      )}
      {p && <span className="preview-note">{p.omitted.join(' · ')}. Compress measures it all.</span>}
      {!p && !stale && r && <span className="badge neutral">last Compress · {r.testRecords.count.toLocaleString('en')} test images</span>}
      {!p && !stale && !r && <span className="placeholder">Set the recipe and press Compress: before and after appear here, measured the same way.</span>}
    </p>
  );
}

/**
 * The workbench's headline: size, accuracy and latency before and after, the sentence saying what
 * the recipe did, and the size chart. The figures are the last Compress's, or, while the recipe
 * changes with live preview on, a preview's on a small test subset, labelled as such. Every figure
 * is the engine's (metric-rows.ts formats them); the rest are in the All figures tab.
 */
export function Headline() {
  const r = useStudio((s) => s.compress);
  const stale = useStudio((s) => s.running?.type === 'compress') && !!r;
  const livePreview = useStudio((s) => s.preview);
  const selectedId = useStudio((s) => s.selectedId);
  const p = livePreview.result && livePreview.result.modelId === selectedId && livePreview.status !== 'idle' ? livePreview.result : undefined;
  const run = rowsOf(r);
  const prev = p ? rowsOf(p) : undefined;
  const sparsity = p && PRUNE_METHODS.get(p.settings.prune.method).uses.sparsity ? p.settings.prune.sparsity : undefined;
  return (
    <div
      className={`headline-body${stale ? ' stale' : ''}${livePreview.status === 'running' ? ' updating' : ''}`}
      data-testid="headline"
      aria-busy={stale || livePreview.status === 'running'}
      data-preview={p ? livePreview.status : 'none'}
      data-preview-sparsity={sparsity}
      data-preview-engine-ms={p ? Math.round(p.elapsedMs) : undefined}
    >
      <Status r={r} stale={stale} preview={p ? livePreview : undefined} />
      {livePreview.status === 'error' && (
        <p className="error" data-testid="preview-error">
          The preview failed: {livePreview.error}
        </p>
      )}
      <div className="figures">
        <Figure run={find(run, 'size')} preview={prev && find(prev, 'size')} sub={r ? gzipLine(r, find(run, 'size')) : undefined} />
        <Figure run={find(run, 'accuracy')} preview={prev && find(prev, 'accuracy')} sub={r ? `macro recall: ${find(run, 'recall').before} → ${find(run, 'recall').after}` : undefined} />
        <Figure run={find(run, 'latency')} sub={p ? 'not measured in a preview' : r ? line(find(run, 'latency'), 'p95') : undefined} />
      </div>
      <p className="recipe-sentence" data-testid={p ? 'preview-sentence' : 'recipe-sentence'}>
        {p ? `Preview: ${p.summary}` : (r?.summary ?? '\u00a0')}
      </p>
      <CompareChart r={r} which="size" height="fill" />
    </div>
  );
}
