/**
 * The studio's state, one zustand store built from slices: the catalog (baselines, datasets,
 * selection), the running job and its results, and the compression settings. Engine results are
 * stored as the worker returned them; components derive what they show from here and compute no
 * figures of their own.
 */
import { create, type StateCreator } from 'zustand';
import { defaultModelId } from '../engine/models/architectures';
import type { BaselineEntry } from '../engine/types';
import { createCompressSlice, type CompressSlice } from './compress-slice';
import { createDeploySlice, type DeploySlice } from './deploy-slice';
import { createJobSlice, type JobSlice } from './job-slice';
import { fetchModelLayers, type ModelLayer } from './model-layers';
import { createGallerySlice, type GallerySlice } from './gallery-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createStudySlice, type StudySlice } from './study-slice';
import { createSweepSlice, type SweepSlice } from './sweep-slice';
import { createAutoSearchSlice, type AutoSearchSlice } from './auto-slice';
import { createTrainSlice, type TrainSlice } from './train-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createLiveSlice, type LiveSlice } from './live-slice';
import { createUserModelsSlice, type UserModelsSlice } from './user-models-slice';
import { createSensitivitySlice, type SensitivitySlice } from './sensitivity-slice';

export interface DataManifestEntry {
  id: string;
  available: boolean;
  source?: string;
  error?: string;
}

export interface CatalogSlice {
  baselines: BaselineEntry[];
  datasets: Record<string, DataManifestEntry>;
  loadError?: string;
  selectedId?: string;
  setCatalog: (baselines: BaselineEntry[], datasets: Record<string, DataManifestEntry>) => void;
  setLoadError: (message: string) => void;
  select: (id: string) => void;
  /** Prunable layers per baseline id (loaded on demand), or the reason they could not be read. */
  modelLayers: Record<string, ModelLayer[] | { error: string }>;
  loadModelLayers: (id: string) => void;
}

export type StudioState = CatalogSlice & JobSlice & CompressSlice & HistorySlice & UserModelsSlice & UiSlice & SweepSlice & GallerySlice & TrainSlice & DeploySlice & StudySlice & LiveSlice & SensitivitySlice & AutoSearchSlice;

const createCatalogSlice: StateCreator<StudioState, [], [], CatalogSlice> = (set, get) => ({
  baselines: [],
  datasets: {},
  modelLayers: {},
  setCatalog: (baselines, datasets) => set((s) => ({ baselines, datasets, selectedId: s.selectedId ?? defaultModelId(baselines) })),
  setLoadError: (loadError) => set({ loadError }),
  // Per-layer overrides name one model's layers, so another model starts without them.
  select: (selectedId) => set((s) => (selectedId === s.selectedId ? {} : { selectedId, compressSettings: { ...s.compressSettings, prune: { ...s.compressSettings.prune, overrides: {} } } })),
  loadModelLayers: (id) => {
    if (get().modelLayers[id]) return;
    const user = get().userModels.find((m) => m.id === id);
    if (user) {
      set((s) => ({ modelLayers: { ...s.modelLayers, [id]: user.summary.layers } }));
      return;
    }
    const entry = get().baselines.find((b) => b.id === id);
    if (!entry) return;
    fetchModelLayers(entry.path).then(
      (layers) => set((s) => ({ modelLayers: { ...s.modelLayers, [id]: layers } })),
      (e: Error) => set((s) => ({ modelLayers: { ...s.modelLayers, [id]: { error: e.message } } })),
    );
  },
});

export const useStudio = create<StudioState>()((...a) => ({
  ...createCatalogSlice(...a),
  ...createJobSlice(...a),
  ...createCompressSlice(...a),
  ...createHistorySlice(...a),
  ...createUserModelsSlice(...a),
  ...createUiSlice(...a),
  ...createSweepSlice(...a),
  ...createAutoSearchSlice(...a),
  ...createGallerySlice(...a),
  ...createTrainSlice(...a),
  ...createDeploySlice(...a),
  ...createStudySlice(...a),
  ...createLiveSlice(...a),
  ...createSensitivitySlice(...a),
}));
