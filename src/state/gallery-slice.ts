/**
 * Pixels of the test records whose prediction flipped in the shown run (at most 64), fetched from
 * the worker on demand (state/jobs.ts) so the run history stores indices, not images.
 */
import type { StateCreator } from 'zustand';
import type { RecordsResult } from '../engine/jobs/results';
import type { StudioState } from './store';

export interface GalleryState {
  /** Dataset and indices the state is about ("mnist:3,17,…"). */
  key?: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  records?: RecordsResult;
  error?: string;
}

export interface GallerySlice {
  gallery: GalleryState;
  setGallery: (g: GalleryState) => void;
}

export const createGallerySlice: StateCreator<StudioState, [], [], GallerySlice> = (set) => ({
  gallery: { status: 'idle' },
  setGallery: (gallery) => set({ gallery }),
});
