import { STUDY_CITATION } from '../../engine/study/published';
import { useMemo } from 'react';
import { STUDY_BATCH, STUDY_PROFILES, type StudyProfile, type StudyRunSettings } from '../../engine/study/preset';
import { cancelJob, runStudy } from '../../state/jobs';
import { useStudio } from '../../state/store';
import type { StudyState } from '../../state/study-slice';
import { studyView } from '../../state/study-view';
import { ProgressView } from '../ProgressView';
import { StudyChart } from './StudyChart';
import { StudyTable } from './StudyTable';

/** The settings every configuration runs with, in one sentence on screen. */
function settingsText(run: StudyRunSettings, backend: string): string {
  const records = run.evalLimit === undefined ? 'all of each model’s exact test records' : `the first ${run.evalLimit.toLocaleString('en')} of each model’s exact test records`;
  const steps = run.steps > 0 ? `${run.steps} fine-tuning steps of ${STUDY_BATCH} training images after pruning` : 'no fine-tuning after pruning';
  return `Evaluated on ${records}; global magnitude pruning to ${Math.round(run.sparsity * 100)}% (first and last layer dense), ${steps}; INT8 per channel, calibrated on ${run.calibrationSamples} training images; ${run.latencyRuns} timed latency runs; tfjs backend: ${backend} (as set under Compress).`;
}

function statusText(s: StudyState): string {
  if (s.status === 'running') {
    const c = s.configs[s.current];
    return `${s.current + 1} of ${s.configs.length}: ${c?.label ?? ''}`;
  }
  if (s.status === 'done') return `Done: ${s.configs.length} configurations, each also in the run history.`;
  return s.message ?? '';
}

/**
 * "Reproduce the study": one button queues the study's four methods on each chosen model, runs
 * them through the compress job one after another, and puts our figures beside the published ones.
 */
export function StudyPanel() {
  const study = useStudio((s) => s.study);
  const baselines = useStudio((s) => s.baselines);
  const datasets = useStudio((s) => s.datasets);
  const backend = useStudio((s) => s.compressBackend);
  const busy = useStudio((s) => !!s.running);
  const setProfile = useStudio((s) => s.setStudyProfile);
  const setRun = useStudio((s) => s.setStudyRun);
  const toggle = useStudio((s) => s.toggleStudyModel);
  const running = study.status === 'running';
  const { models, problem: bad, chosen, rows, caveats } = useMemo(() => studyView(study, baselines, datasets), [study, baselines, datasets]);
  const profile = STUDY_PROFILES[study.profile];
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  return (
    <div className="study" data-testid="study">
      <p className="hint">Runs the study’s four methods (baseline, pruning, INT8 full-integer, pruning + INT8) on each model below, one after another, and puts your figures beside the published ones: {STUDY_CITATION}.</p>
      <div className="study-controls">
        <fieldset className="settings-group" disabled={running}>
          <legend>Models</legend>
          <div className="checks">
            {models.map((m) => (
              <label key={m.id} className="check">
                <input type="checkbox" checked={study.modelIds.includes(m.id)} onChange={() => toggle(m.id)} data-testid={`study-model-${m.id}`} />
                {m.label}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="settings-group" disabled={running}>
          <legend>Settings</legend>
          <label className="field">
            Profile
            <select value={study.profile} onChange={(e) => setProfile(e.target.value as StudyProfile)} data-testid="study-profile">
              {(Object.keys(STUDY_PROFILES) as StudyProfile[]).map((p) => (
                <option key={p} value={p}>
                  {STUDY_PROFILES[p].label} ({STUDY_PROFILES[p].duration})
                </option>
              ))}
            </select>
          </label>
          <div className="field-row">
            <label className="field">
              Test images per model (blank = all)
              <input
                type="number"
                min={1}
                step={1}
                value={study.run.evalLimit !== undefined && Number.isFinite(study.run.evalLimit) ? study.run.evalLimit : ''}
                onChange={(e) => setRun({ evalLimit: num(e.target.value) })}
                data-testid="study-eval-limit"
              />
            </label>
            <label className="field">
              Fine-tuning steps after pruning
              <input type="number" min={0} step={1} value={Number.isFinite(study.run.steps) ? study.run.steps : ''} onChange={(e) => setRun({ steps: num(e.target.value) ?? NaN })} data-testid="study-steps" />
            </label>
            <label className="field">
              Sparsity (%)
              <input
                type="number"
                min={1}
                max={99}
                step={1}
                value={Number.isFinite(study.run.sparsity) ? Math.round(study.run.sparsity * 100) : ''}
                onChange={(e) => setRun({ sparsity: (num(e.target.value) ?? NaN) / 100 })}
                data-testid="study-sparsity"
              />
            </label>
          </div>
        </fieldset>
      </div>
      <p className="provenance" data-testid="study-settings">
        {profile.label}: {settingsText(study.run, backend)}
      </p>
      <div className="study-run">
        <div className="buttons">
          <button type="button" onClick={() => void runStudy()} disabled={busy || chosen === 0 || !!bad} data-testid="study-run">
            Reproduce the study
          </button>
          {running && (
            <button type="button" className="secondary" onClick={cancelJob} data-testid="study-cancel">
              Cancel
            </button>
          )}
        </div>
        <p className={`study-status${study.status === 'failed' || bad ? ' error' : ''}`} role="status" data-testid="study-status">
          {bad ?? (chosen === 0 && !running ? 'Choose at least one model.' : statusText(study))}
        </p>
        {running && <ProgressView jobs={['compress']} />}
      </div>
      <div className="study-results">
        <StudyTable rows={rows} status={study.status} current={study.current} />
        <StudyChart rows={rows} />
      </div>
      <div className="study-notes">
        {rows.length > 0 && (
          <p className="hint">
            * The study reports accuracy as retained with pruning + INT8; its per-configuration accuracy figures are not encoded here, so no number is shown for it. A dash: the study’s headline figures do not include this configuration.
            Size reductions use gzip’d bytes where pruning left zeros (a dense file stores them) and the format’s own bytes otherwise. INT8 accuracy is from simulated integer inference.
          </p>
        )}
        {caveats.map((c) => (
          <p key={c} className="caveat">
            {c}
          </p>
        ))}
      </div>
    </div>
  );
}
