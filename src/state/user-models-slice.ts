/**
 * The user's own models (uploaded or trained in the studio), kept in IndexedDB like the run
 * history, with the same fallbacks: memory only (and a warning) where storage fails, and an
 * unreadable entry skipped and reported. The upload's progress and its last error live here too.
 */
import type { StateCreator } from 'zustand';
import type { SerializedError } from '../engine/errors';
import type { DatasetId } from '../engine/types';
import type { ScalingId, ScalingProposal } from '../engine/choices/input-scaling';
import type { SkippedEntry, StorageStatus } from './history-slice';
import { idbTable, storageProblem } from './idb-table';
import { restoreUserModel, type UserModelRecord } from './user-model-record';
import type { StudioState } from './store';

export interface UploadState {
  status: 'idle' | 'reading' | 'validating';
  /** The validator's refusal (or a read error), naming the problem; rendered as text. */
  error?: SerializedError;
  /** The files of the last attempt, as named by the user. */
  fileNames: string[];
  /** The label of the model the last attempt added. */
  added?: string;
  /** Its id (for the scaling proposal shown under it). */
  addedId?: string;
}

export interface UserModelsSlice {
  userModels: UserModelRecord[];
  userModelStorage: StorageStatus;
  upload: UploadState;
  uploadDataset: DatasetId;
  setUploadDataset: (d: DatasetId) => void;
  /** How the next upload's inputs are scaled; undefined: as the dataset's own baselines. */
  uploadScaling?: ScalingId;
  setUploadScaling: (s: ScalingId) => void;
  /** Changes how a kept model's inputs are scaled (e.g. to the studio's proposal). */
  setUserModelScaling: (id: string, scaling: ScalingId) => void;
  /** The scaling proposal of a kept model: being measured, measured (kept with it), or failed. */
  setUserModelProposal: (id: string, p: 'measuring' | ScalingProposal | { error: string }) => void;
  /** Proposals being measured or failed, by model id (not persisted). */
  proposalStatus: Record<string, 'measuring' | { error: string }>;
  setUpload: (u: Partial<UploadState>) => void;
  loadUserModels: () => Promise<void>;
  /** Keeps a validated model (and selects it). */
  addUserModel: (m: UserModelRecord) => void;
  removeUserModel: (id: string) => void;
}

const table = idbTable('compression-studio-models');

export const createUserModelsSlice: StateCreator<StudioState, [], [], UserModelsSlice> = (set, get) => {
  const persist = (op: () => Promise<void>) => {
    if (get().userModelStorage.storage === 'memory') return;
    op().catch((e: unknown) => set((s) => ({ userModelStorage: { ...s.userModelStorage, storage: 'memory', warning: `Your models could not be saved (${storageProblem(e)}); they are kept in this tab only.` } })));
  };
  return {
    userModels: [],
    userModelStorage: { storage: 'loading', skipped: [] },
    upload: { status: 'idle', fileNames: [] },
    uploadDataset: 'mnist',
    setUploadDataset: (uploadDataset) => set({ uploadDataset }),
    setUploadScaling: (uploadScaling) => set({ uploadScaling }),
    proposalStatus: {},
    setUserModelProposal: (id, p) => {
      if (p === 'measuring' || 'error' in p) {
        set((s) => ({ proposalStatus: { ...s.proposalStatus, [id]: p } }));
        return;
      }
      set((s) => {
        const { [id]: _done, ...rest } = s.proposalStatus;
        return { proposalStatus: rest };
      });
      const m = get().userModels.find((x) => x.id === id);
      if (!m) return;
      const next = { ...m, proposal: p };
      set((s) => ({ userModels: s.userModels.map((x) => (x.id === id ? next : x)) }));
      persist(() => table.put(id, next));
    },
    setUserModelScaling: (id, scaling) => {
      const m = get().userModels.find((x) => x.id === id);
      if (!m) return;
      const next = { ...m, scaling };
      set((s) => ({ userModels: s.userModels.map((x) => (x.id === id ? next : x)) }));
      persist(() => table.put(id, next));
    },
    setUpload: (u) => set((s) => ({ upload: { ...s.upload, ...u } })),
    loadUserModels: async () => {
      try {
        const stored = await table.list();
        const models: UserModelRecord[] = [];
        const skipped: SkippedEntry[] = [];
        for (const [key, raw] of stored) {
          const m = restoreUserModel(raw);
          if (m instanceof Error) skipped.push({ key, reason: m.message });
          else models.push(m);
        }
        set((s) => {
          const known = new Set(s.userModels.map((m) => m.id));
          return {
            userModels: [...s.userModels, ...models.filter((m) => !known.has(m.id))].sort((a, b) => a.createdAt - b.createdAt),
            userModelStorage: { storage: s.userModelStorage.storage === 'memory' ? 'memory' : 'indexeddb', warning: s.userModelStorage.warning, skipped },
          };
        });
        for (const m of get().userModels) if (!stored.some(([k]) => k === m.id)) persist(() => table.put(m.id, m));
      } catch (e) {
        set((s) => ({ userModelStorage: { ...s.userModelStorage, storage: 'memory', warning: `Your models are not saved: ${storageProblem(e)}. They are kept in this tab only.` } }));
      }
    },
    addUserModel: (m) => {
      set((s) => ({ userModels: [...s.userModels.filter((x) => x.id !== m.id), m] }));
      get().select(m.id);
      if (get().userModelStorage.storage === 'indexeddb') persist(() => table.put(m.id, m));
    },
    removeUserModel: (id) => {
      set((s) => ({ userModels: s.userModels.filter((m) => m.id !== id) }));
      if (get().selectedId === id) {
        const first = get().baselines[0]?.id;
        if (first) get().select(first);
      }
      persist(() => table.remove(id));
    },
  };
};
