/**
 * What the "Reproduce the study" panel shows, computed behind the store from the study's state: the
 * models it offers (with their labels), why the run settings cannot run, and the published-vs-yours
 * rows and their caveats (engine/study/rows.ts). The panel renders this and computes nothing.
 */
import { getDataset } from '../engine/data/registry';
import { studyModelLabel, studyRunProblem } from '../engine/study/preset';
import { studyCaveats, studyRows, type StudyRow } from '../engine/study/rows';
import type { BaselineEntry } from '../engine/types';
import type { DataManifestEntry } from './store';
import { studyModels } from './study-models';
import type { StudyState } from './study-slice';

export interface StudyView {
  models: Array<{ id: string; label: string }>;
  /** Why the run settings cannot run, if they cannot. */
  problem?: string;
  chosen: number;
  rows: StudyRow[];
  caveats: string[];
}

export function studyView(study: StudyState, baselines: BaselineEntry[], datasets: Record<string, DataManifestEntry>): StudyView {
  const models = studyModels(baselines, datasets);
  const rows = studyRows(study.configs, study.results);
  return {
    models: models.map((m) => ({ id: m.id, label: `${studyModelLabel(m)} · ${getDataset(m.dataset).label}` })),
    problem: studyRunProblem(study.run),
    chosen: models.filter((m) => study.modelIds.includes(m.id)).length,
    rows,
    caveats: studyCaveats(rows),
  };
}
