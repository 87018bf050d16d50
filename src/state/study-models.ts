/** The shipped baselines the study preset can run: a family the study compared, its dataset prepared here. */
import { STUDY_FAMILIES } from '../engine/study/preset';
import type { BaselineEntry } from '../engine/types';
import type { DataManifestEntry } from './store';

export function studyModels(baselines: BaselineEntry[], datasets: Record<string, DataManifestEntry>): BaselineEntry[] {
  // An empty manifest (it could not be read) hides nothing: the job then names the missing files.
  const known = Object.keys(datasets).length > 0;
  return baselines.filter((b) => STUDY_FAMILIES.includes(b.family) && (!known || datasets[b.dataset]?.available !== false));
}
