/**
 * The train-from-scratch form: an architecture with no shipped baseline for a dataset, and how
 * long to train it. The trained model becomes one of the user's models (user-models-slice.ts).
 */
import type { StateCreator } from 'zustand';
import { BACKENDS, OPTIMIZERS, type Optimizer } from '../engine/choices/train';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { DatasetId, ZooCatalog, ZooCatalogEntry } from '../engine/types';
import type { StudioState } from './store';

export interface TrainForm {
  architecture: string;
  dataset: DatasetId;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: Optimizer;
  /** Train on the first N training images only (undefined: all). */
  trainLimit?: number;
  /** Stop after this many optimizer steps (undefined: run every epoch). */
  maxSteps?: number;
  /** Evaluate on the first N exact test records only (undefined: all). */
  evalLimit?: number;
  backend: TrainingBackendChoice;
}

export interface TrainSlice {
  trainForm: TrainForm;
  setTrainForm: (patch: Partial<TrainForm>) => void;
  /** Every architecture for every dataset (public/models/zoo.json), or why it could not be read. */
  zoo?: ZooCatalogEntry[] | { error: string };
  loadZoo: () => void;
}

export const DEFAULT_TRAIN_FORM: TrainForm = {
  architecture: 'mobilenet-v1-0.25',
  dataset: 'mnist',
  epochs: 1,
  batchSize: 64,
  learningRate: 0.01,
  optimizer: OPTIMIZERS.defaultId,
  trainLimit: 5000,
  evalLimit: 1000,
  backend: BACKENDS.defaultId,
};

export const createTrainSlice: StateCreator<StudioState, [], [], TrainSlice> = (set, get) => ({
  trainForm: DEFAULT_TRAIN_FORM,
  setTrainForm: (patch) => set((s) => ({ trainForm: { ...s.trainForm, ...patch } })),
  loadZoo: () => {
    if (get().zoo) return;
    fetch('/models/zoo.json')
      .then((r) => (r.ok ? (r.json() as Promise<ZooCatalog>) : Promise.reject(new Error(`models/zoo.json: HTTP ${r.status}`))))
      .then(
        (c) => set({ zoo: c.entries }),
        (e: Error) => set({ zoo: { error: e.message } }),
      );
  },
});
