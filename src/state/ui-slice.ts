/**
 * Presentation state: lecture mode (larger type, advanced controls hidden, for a projector) and
 * notices about the page itself, e.g. a shared link whose model is not in this browser.
 */
import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

export interface Notice {
  id: string;
  text: string;
}

export interface UiSlice {
  lecture: boolean;
  setLecture: (on: boolean) => void;
  notices: Notice[];
  /** Adds (or replaces) the notice with this id. */
  notify: (id: string, text: string) => void;
  dismiss: (id: string) => void;
}

export const createUiSlice: StateCreator<StudioState, [], [], UiSlice> = (set) => ({
  lecture: false,
  setLecture: (lecture) => set({ lecture }),
  notices: [],
  notify: (id, text) => set((s) => ({ notices: [...s.notices.filter((n) => n.id !== id), { id, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
