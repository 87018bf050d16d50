import { useMemo, useState } from 'react';
import { cancelJob, runSensitivity } from '../../state/jobs';
import { modelLabel } from '../../state/model-label';
import { SENSITIVITY_FORM_LIMITS, sensitivitySettings, type SensitivityMetric } from '../../state/sensitivity-slice';
import { runAllocation, sensitivitySeries, type LayerSeries } from '../../state/sensitivity-view';
import { useStudio } from '../../state/store';
import { seriesColor } from '../compress/chart-theme';
import { IdeaCard } from '../ideas/ExplainPanel';
import { JobLog } from '../JobLog';
import { ProgressView } from '../ProgressView';
import { SensitivityChart } from './SensitivityChart';
import { SensitivityTable } from './SensitivityTable';
import './sensitivity.css';

const pct = (f: number, digits = 1) => `${(f * 100).toFixed(digits)}%`;

/** The analysis's settings: images and sparsities, and the buttons that run and cancel it. */
function SensitivityForm() {
  const form = useStudio((s) => s.sensitivityForm);
  const set = useStudio((s) => s.setSensitivityForm);
  const running = useStudio((s) => s.running);
  const selectedId = useStudio((s) => s.selectedId);
  const checked = sensitivitySettings(form);
  const bad = typeof checked === 'string' ? checked : undefined;
  const mine = running?.type === 'sensitivity';
  const L = SENSITIVITY_FORM_LIMITS;
  return (
    <div className="sens-controls">
      <label className="field inline">
        Calibration images
        <input type="number" min={L.calibrationImages.min} max={L.calibrationImages.max} value={form.calibrationImages} onChange={(e) => set({ calibrationImages: e.target.valueAsNumber })} disabled={mine} data-testid="sens-calibration" />
      </label>
      <label className="field inline">
        Held-back images
        <input type="number" min={L.heldOutImages.min} max={L.heldOutImages.max} value={form.heldOutImages} onChange={(e) => set({ heldOutImages: e.target.valueAsNumber })} disabled={mine} data-testid="sens-held-out" />
      </label>
      <label className="field inline">
        Sparsities
        <input type="text" value={form.sparsities} onChange={(e) => set({ sparsities: e.target.value })} disabled={mine} aria-invalid={bad ? true : undefined} aria-describedby={bad ? 'sens-bad' : undefined} data-testid="sens-sparsities" />
      </label>
      <button type="button" onClick={() => void runSensitivity()} disabled={!!running || !selectedId || !!bad} data-testid="sens-run">
        Analyse each layer
      </button>
      {mine && (
        <button type="button" className="secondary" onClick={cancelJob} data-testid="sens-cancel">
          Cancel
        </button>
      )}
      {bad && (
        <p className="error" id="sens-bad" data-testid="sens-bad">
          {bad}
        </p>
      )}
    </div>
  );
}

/** The last analysis's error or cancel note. */
function SensitivityMessage() {
  const e = useStudio((s) => (s.error?.job === 'sensitivity' ? s.error.error : undefined));
  if (!e) return null;
  return (
    <p role="alert" className={e.code === 'cancelled' ? 'note' : 'error'} data-testid="sens-error">
      {e.kind === 'bug' ? 'Internal error (please report it): ' : ''}
      {e.message}
    </p>
  );
}

/** The layers as buttons: hovering or focusing one highlights it, a click pins it (and a second click lets go). */
function LayerLegend({ series, pinned, onPin, onHover }: { series: LayerSeries[]; pinned?: string; onPin: (layer: string | undefined) => void; onHover: (layer: string | undefined) => void }) {
  return (
    <ul className="sens-legend" aria-label="Layers: pick one to highlight it">
      {series.map((s, i) => (
        <li key={s.layer}>
          <button
            type="button"
            className="secondary small"
            aria-pressed={pinned === s.layer}
            onClick={() => onPin(pinned === s.layer ? undefined : s.layer)}
            onMouseEnter={() => onHover(s.layer)}
            onMouseLeave={() => onHover(undefined)}
            onFocus={() => onHover(s.layer)}
            onBlur={() => onHover(undefined)}
            data-testid="sens-legend-item"
          >
            <span className="swatch" style={{ background: seriesColor(i, series.length) }} aria-hidden="true" />
            {s.layer}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The highlighted layer in words, for everyone (the chart alone is no text). */
function Readout({ s, metric }: { s?: LayerSeries; metric: SensitivityMetric }) {
  const v = (y: number) => (metric === 'accuracy' ? `${y.toFixed(2)}%` : y.toExponential(1));
  return (
    <p className="sens-readout hint" aria-live="polite" data-testid="sens-readout">
      {s
        ? `${s.layer} (${s.op}, ${s.weights.toLocaleString('en')} weights): ${s.points
            .filter((p) => p.x > 0)
            .map((p) => `${v(p.y)} at ${p.x.toFixed(0)}%`)
            .join(', ')}; int8 ${v(s.int8.y)}${s.chosen ? `; the run pruned it to ${s.chosen.x.toFixed(1)}%` : ''}.`
        : 'Hover, focus or pick a layer to highlight it.'}
    </p>
  );
}

/**
 * Per-layer sensitivity of the selected model: each layer compressed alone, measured on held-back
 * training images in the worker (jobs/sensitivity.ts), as a chart of accuracy or KL divergence
 * against sparsity with a layer legend and the same figures as a table; when the run on show
 * allocated by sensitivity, each layer's chosen sparsity is marked.
 */
export function SensitivityPanel() {
  const selectedId = useStudio((s) => s.selectedId);
  const result = useStudio((s) => (s.selectedId ? s.sensitivity[s.selectedId] : undefined));
  const label = useStudio((s) => (result ? modelLabel(s, result.modelId) : ''));
  const run = useStudio((s) => s.compress);
  const metric = useStudio((s) => s.sensitivityMetric);
  const setMetric = useStudio((s) => s.setSensitivityMetric);
  const pinned = useStudio((s) => s.sensitivityLayer);
  const setPinned = useStudio((s) => s.setSensitivityLayer);
  const [hovered, setHovered] = useState<string>();
  const allocation = useMemo(() => runAllocation(run, selectedId), [run, selectedId]);
  const series = useMemo(() => (result ? sensitivitySeries(result.report, metric, allocation) : []), [result, metric, allocation]);
  const active = hovered ?? (series.some((s) => s.layer === pinned) ? pinned : undefined);
  const r = result?.report;
  return (
    <div className="sensitivity" data-testid="sensitivity">
      <IdeaCard id="sensitivity" />
      <SensitivityForm />
      <ProgressView jobs={['sensitivity']} />
      <JobLog jobs={['sensitivity']} />
      <SensitivityMessage />
      {result && r && (
        <p className="sens-status" data-testid="sens-status">
          {label}: {r.layers.length} layers; the unchanged model classifies {pct(r.baselineAccuracy, 2)} of {r.heldOutImages.toLocaleString('en')} held-back training images (after {r.calibrationImages.toLocaleString('en')} calibration
          images, of the {result.trainImages.toLocaleString('en')} in the training split; no test record is read).{' '}
          {result.reused ? 'Kept from an earlier analysis of the same weights and settings.' : `${(result.elapsedMs / 1000).toFixed(1)} s on ${result.backend}.`}
          {allocation ? ' Triangles: the sparsity the run on show (the last Compress, or one shown from the history) chose for each layer by sensitivity.' : ''}
        </p>
      )}
      <fieldset className="sens-metric" disabled={!result}>
        <legend className="sr-only">Measure plotted</legend>
        {(
          [
            ['accuracy', 'Held-back accuracy'],
            ['divergence', 'KL divergence'],
          ] as const
        ).map(([id, text]) => (
          <label key={id} className="check small">
            <input type="radio" name="sens-metric" value={id} checked={metric === id} onChange={() => setMetric(id)} data-testid={`sens-metric-${id}`} />
            {text}
          </label>
        ))}
      </fieldset>
      <div className="sens-view">
        <div className="sens-chart">
          <SensitivityChart
            series={series}
            metric={metric}
            active={active}
            onHover={setHovered}
            title={`Each layer compressed alone${result ? ` (${label})` : ''}: ${metric === 'accuracy' ? 'held-back accuracy' : 'KL divergence'} against sparsity`}
          />
          {series.length > 0 && (
            <>
              <LayerLegend series={series} pinned={pinned} onPin={setPinned} onHover={setHovered} />
              <Readout s={series.find((s) => s.layer === active)} metric={metric} />
            </>
          )}
        </div>
        {r && (
          <div className="sens-table-box">
            <SensitivityTable report={r} metric={metric} allocation={allocation} active={active} onHover={setHovered} />
          </div>
        )}
      </div>
    </div>
  );
}
