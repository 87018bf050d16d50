/**
 * Presentation state: lecture mode (larger type, advanced controls hidden, for a projector),
 * which tab under the workbench is open, the lecture tour's step, and notices about the page
 * itself, e.g. a shared link whose model is not in this browser. Tab and tour step are in the URL
 * (url-state.ts UI_FIELDS).
 */
import type { StateCreator } from 'zustand';
import type { StudyMethod } from '../engine/study/published';
import type { StudioState } from './store';

export interface Notice {
  id: string;
  text: string;
}

/** The tabs under the workbench, in their order on screen; lecture mode hides the advanced ones. */
export const TABS = [
  { id: 'details', label: 'All figures' },
  { id: 'layers', label: 'Per layer' },
  { id: 'confusion', label: 'Confusion' },
  { id: 'flipped', label: 'Flipped images' },
  { id: 'deploy', label: 'Deploy' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'sensitivity', label: 'Sensitivity' },
  { id: 'study', label: 'The study' },
  { id: 'history', label: 'History' },
  { id: 'upload', label: 'Your model', advanced: true },
  { id: 'train', label: 'Train', advanced: true },
  { id: 'evaluate', label: 'Evaluate & zoo', advanced: true },
] as const satisfies ReadonlyArray<{ id: string; label: string; advanced?: boolean }>;
export type TabId = (typeof TABS)[number]['id'];
export const TAB_IDS: readonly TabId[] = TABS.map((t) => t.id);
export const DEFAULT_TAB: TabId = 'details';

/** A step of the lecture tour: one of the study's four methods (engine/study/published.ts). */
export type TourStep = StudyMethod;

export interface UiSlice {
  lecture: boolean;
  setLecture: (on: boolean) => void;
  tab: TabId;
  setTab: (tab: TabId) => void;
  /** The lecture tour's current step; undefined when no tour is on. */
  tour?: TourStep;
  setTour: (step: TourStep | undefined) => void;
  notices: Notice[];
  /** Adds (or replaces) the notice with this id. */
  notify: (id: string, text: string) => void;
  dismiss: (id: string) => void;
}

export const createUiSlice: StateCreator<StudioState, [], [], UiSlice> = (set) => ({
  lecture: false,
  setLecture: (lecture) => set({ lecture }),
  tab: DEFAULT_TAB,
  setTab: (tab) => set({ tab }),
  tour: undefined,
  setTour: (tour) => set({ tour }),
  notices: [],
  notify: (id, text) => set((s) => ({ notices: [...s.notices.filter((n) => n.id !== id), { id, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
