/**
 * The "Reproduce the study" preset: which models, which profile (quick for a lecture, or fuller)
 * and its editable run settings; while it runs, the configurations queued, the one running, and
 * the figures of each finished one (state/jobs.ts runStudy runs them through the compress job, so
 * each also lands in the run history). Results so far are kept when a run is cancelled or fails.
 */
import type { StateCreator } from 'zustand';
import { STUDY_DEFAULT_MODELS, STUDY_PROFILES, type StudyConfig, type StudyProfile, type StudyRunSettings } from '../engine/study/preset';
import type { StudyFigures } from '../engine/study/rows';
import type { StudioState } from './store';

export interface StudyState {
  profile: StudyProfile;
  run: StudyRunSettings;
  /** Baseline ids chosen for the preset. */
  modelIds: string[];
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  configs: StudyConfig[];
  /** Index in `configs` of the configuration running now. */
  current: number;
  /** Figures of each finished configuration by its key, and the history run it became. */
  results: Record<string, StudyFigures>;
  runIds: Record<string, string>;
  message?: string;
}

export interface StudySlice {
  study: StudyState;
  setStudyProfile: (p: StudyProfile) => void;
  setStudyRun: (patch: Partial<StudyRunSettings>) => void;
  toggleStudyModel: (id: string) => void;
  studyStarted: (configs: StudyConfig[]) => void;
  studyStep: (index: number) => void;
  studyResult: (key: string, figures: StudyFigures, runId: string) => void;
  studyEnded: (status: 'done' | 'cancelled' | 'failed', message?: string) => void;
}

export const createStudySlice: StateCreator<StudioState, [], [], StudySlice> = (set) => ({
  study: { profile: 'lecture', run: { ...STUDY_PROFILES.lecture.run }, modelIds: [...STUDY_DEFAULT_MODELS], status: 'idle', configs: [], current: 0, results: {}, runIds: {} },
  setStudyProfile: (profile) => set((s) => ({ study: { ...s.study, profile, run: { ...STUDY_PROFILES[profile].run } } })),
  setStudyRun: (patch) => set((s) => ({ study: { ...s.study, run: { ...s.study.run, ...patch } } })),
  toggleStudyModel: (id) => set((s) => ({ study: { ...s.study, modelIds: s.study.modelIds.includes(id) ? s.study.modelIds.filter((m) => m !== id) : [...s.study.modelIds, id] } })),
  studyStarted: (configs) => set((s) => ({ study: { ...s.study, status: 'running', configs, current: 0, results: {}, runIds: {}, message: undefined } })),
  studyStep: (current) => set((s) => ({ study: { ...s.study, current } })),
  studyResult: (key, figures, runId) => set((s) => ({ study: { ...s.study, results: { ...s.study.results, [key]: figures }, runIds: { ...s.study.runIds, [key]: runId } } })),
  studyEnded: (status, message) => set((s) => ({ study: { ...s.study, status, message } })),
});
