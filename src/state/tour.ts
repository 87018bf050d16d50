/**
 * The guided lecture tour: the study's four methods (baseline, pruning, INT8, pruning + INT8) on
 * the selected model, one step each, with the settings of the study preset's lecture profile
 * (engine/study/preset.ts), so the tour and "Reproduce the study" run the same recipes. A step
 * is in the URL (tour=<method>), so each step is a link that opens it.
 */
import { STUDY_METHODS } from '../engine/study/published';
import { STUDY_PROFILES, studySettings } from '../engine/study/preset';
import type { CompressSettings } from '../engine/jobs/compress-settings';
import { useStudio } from './store';
import type { TourStep } from './ui-slice';
import { encodeUrlState } from './url-state';

export const TOUR_STEPS: readonly TourStep[] = STUDY_METHODS;

export function tourSettings(step: TourStep): CompressSettings {
  return studySettings(step, STUDY_PROFILES.lecture.run);
}

/** Opens a step (its settings replace the recipe's) or, with undefined, ends the tour. */
export function enterTourStep(step: TourStep | undefined): void {
  const s = useStudio.getState();
  if (s.running) return;
  if (step) s.replaceSettings(tourSettings(step));
  s.setTour(step);
}

/** The step before or after the current one. */
export function tourNeighbour(step: TourStep, by: -1 | 1): TourStep | undefined {
  return TOUR_STEPS[TOUR_STEPS.indexOf(step) + by];
}

/** A link (path and query) that opens `step` on the selected model, in lecture mode if it is on. */
export function tourHref(step: TourStep): string {
  const s = useStudio.getState();
  const q = encodeUrlState({ modelId: s.selectedId, settings: tourSettings(step), backend: s.compressBackend, deploy: s.deploy, ui: { tab: s.tab, tour: step, livePreview: s.livePreview }, run: false, lecture: s.lecture });
  return `${window.location.pathname}?${q}`;
}
