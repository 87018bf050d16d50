/**
 * What the workbench shows live while the recipe changes: the picture of one layer under the
 * recipe (engine/explain/weight-sample.ts), requested from the worker by live.ts. `key` says which
 * model and settings it belongs to, so an answer for older settings is never shown as current.
 */
import type { StateCreator } from 'zustand';
import type { WeightSample } from '../engine/explain/weight-sample';
import type { StudioState } from './store';

export interface LivePicture {
  key?: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  sample?: WeightSample;
  error?: string;
}

export interface LiveSlice {
  picture: LivePicture;
  setPicture: (p: LivePicture) => void;
}

export const createLiveSlice: StateCreator<StudioState, [], [], LiveSlice> = (set) => ({
  picture: { status: 'idle' },
  setPicture: (picture) => set({ picture }),
});
