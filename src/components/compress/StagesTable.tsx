import { PRUNE_METHODS } from '../../engine/choices/prune-methods';
import { QUANT_MODES } from '../../engine/choices/quantize';
import type { StageRecord } from '../../engine/jobs/compress';
import type { PruneSettings, QuantSettings, TrainSettings } from '../../engine/jobs/compress-settings';
import type { CompressJobResult } from '../../engine/jobs/results';
import { formatPercent, formatSeconds } from '../format';

/** One line saying what a stage did, from its recorded settings and details. */
function summary(st: StageRecord): string {
  if (st.stage === 'prune') {
    const p = st.settings as PruneSettings;
    const method = PRUNE_METHODS.has(p.method) ? PRUNE_METHODS.get(p.method) : undefined;
    const amount = method?.uses.nm ? `${p.n}:${p.m}` : `${Math.round(p.sparsity * 100)}%`;
    const schedule = p.schedule.kind === 'gradual' ? `gradual from ${Math.round(p.schedule.initialSparsity * 100)}%` : 'one-shot';
    const layers = Array.isArray(st.detail.layersPruned) ? `, ${st.detail.layersPruned.length} layers` : '';
    const spread = Object.values((st.detail.layerSparsities ?? {}) as Record<string, number>);
    const allocation = spread.length ? `, spread by sensitivity (${Math.round(Math.min(...spread) * 100)}–${Math.round(Math.max(...spread) * 100)}% per layer${st.detail.sensitivityReused ? ', analysis reused' : ''})` : '';
    return `${method?.summary ?? p.method} ${amount}, ${schedule}${layers}${allocation}${p.spareFirstLast ? ', first and last spared' : ''}${typeof st.detail.note === 'string' ? ` (${st.detail.note})` : ''}`;
  }
  if (st.stage === 'finetune') {
    const f = st.settings as TrainSettings;
    const d = st.detail as { steps?: number; imagesPerSecond?: number; backend?: string };
    return `${f.epochs} epoch(s), batch ${f.batchSize}, learning rate ${f.learningRate}, ${f.optimizer}${f.trainLimit ? `, ${f.trainLimit} images` : ''}: ${d.steps ?? '?'} steps at ${d.imagesPerSecond?.toFixed(0) ?? '?'} img/s on ${d.backend ?? '?'}`;
  }
  const q = st.settings as QuantSettings;
  const images = typeof st.detail.calibrationImages === 'number' ? st.detail.calibrationImages : 0;
  const mode = QUANT_MODES.has(q.mode) ? QUANT_MODES.get(q.mode) : undefined;
  const recon = mode?.int8Weights ? [q.rounding === 'gptq' ? ', GPTQ rounding' : '', q.biasCorrection === 'mean' ? ', bias correction' : ''].join('') : '';
  return `${q.mode} ${mode?.int8Weights ? q.granularity : ''}${recon}${mode?.calibrates ? `, ${q.calibration.method} calibration on ${images} training images` : ''}`;
}

const STAGE_NAMES: Record<StageRecord['stage'], string> = { prune: 'Prune', finetune: 'Fine-tune', quantize: 'Quantize' };

const NOT_MEASURED = 'Not measured after this stage: tick “Accuracy after each stage” under Measurement to measure it.';

/** The run's stages in order: what each did, accuracy and recall right after it, and its time. */
export function StagesTable({ r }: { r?: CompressJobResult }) {
  return (
    <div className="stages" data-testid="stages-table">
      <table>
        <caption>Stages</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Settings</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Recall</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {r && (
            <tr>
              <th scope="row">Baseline</th>
              <td>{r.before.format}, BatchNorm folded</td>
              <td>{formatPercent(r.before.metrics.accuracy)}</td>
              <td>{formatPercent(r.before.metrics.macroRecall)}</td>
              <td>—</td>
            </tr>
          )}
          {r?.stages.map((st, i) => (
            <tr key={i} data-testid={`stage-row-${st.stage}`}>
              <th scope="row">{STAGE_NAMES[st.stage]}</th>
              <td>{summary(st)}</td>
              <td title={st.accuracy === undefined ? NOT_MEASURED : undefined}>{st.accuracy !== undefined ? formatPercent(st.accuracy) : '—'}</td>
              <td title={st.macroRecall === undefined ? NOT_MEASURED : undefined}>{st.macroRecall !== undefined ? formatPercent(st.macroRecall) : '—'}</td>
              <td>{formatSeconds(st.elapsedMs)}</td>
            </tr>
          ))}
          {r && (
            <tr className="total">
              <th scope="row">Whole run</th>
              <td>including both measurements</td>
              <td>{formatPercent(r.after.metrics.accuracy)}</td>
              <td>{formatPercent(r.after.metrics.macroRecall)}</td>
              <td>{formatSeconds(r.elapsedMs)}</td>
            </tr>
          )}
          {!r && (
            <tr>
              <td colSpan={5} className="placeholder">
                No compression run yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
