/**
 * What the workbench shows live while the recipe changes: the picture of one layer under the
 * recipe (engine/explain/weight-sample.ts) and a preview of the after-figures (engine/jobs/
 * preview.ts), both requested from the worker by live.ts. `key` says which model and settings each
 * belongs to, so an answer for older settings is never shown as current.
 */
import type { StateCreator } from 'zustand';
import type { WeightSample } from '../engine/explain/weight-sample';
import type { PreviewResult } from '../engine/jobs/preview';
import type { StudioState } from './store';

export interface LivePicture {
  key?: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  sample?: WeightSample;
  error?: string;
}

/** The live preview: the last preview's result stays shown (dimmed) while a newer one runs. */
export interface LivePreview {
  key?: string;
  status: 'idle' | 'running' | 'ready' | 'error';
  result?: PreviewResult;
  error?: string;
}

export interface LiveSlice {
  picture: LivePicture;
  setPicture: (p: LivePicture) => void;
  /** Whether the after-figures follow the recipe with a preview as it changes. */
  livePreview: boolean;
  setLivePreview: (on: boolean) => void;
  preview: LivePreview;
  setPreview: (p: LivePreview) => void;
}

export const createLiveSlice: StateCreator<StudioState, [], [], LiveSlice> = (set) => ({
  picture: { status: 'idle' },
  setPicture: (picture) => set({ picture }),
  livePreview: true,
  setLivePreview: (livePreview) => set(livePreview ? { livePreview } : { livePreview, preview: { status: 'idle' } }),
  preview: { status: 'idle' },
  setPreview: (preview) => set({ preview }),
});
