/**
 * Run history: every finished compression run (newest first), kept in IndexedDB so it survives a
 * reload, its exported files apart (run-files.ts) and put back into the result when it is shown. Memory is the source of truth and IndexedDB is written through; where IndexedDB is
 * missing, fails or is over quota, the history stays in memory and says so, and an entry that
 * cannot be read is skipped and reported (and can be removed), never shown half-broken.
 */
import type { StateCreator } from 'zustand';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { CompressJobResult } from '../engine/jobs/results';
import { idbTable, storageProblem } from './idb-table';
import { runFilesStore } from './run-files';
import { MAX_NAME_LENGTH, newRunRecord, restoreRun, type RunRecord } from './run-record';
import type { StudioState } from './store';

export interface SkippedEntry {
  key: string;
  reason: string;
}

export interface StorageStatus {
  /** Where the data lives now: not yet known, IndexedDB, or this tab's memory only. */
  storage: 'loading' | 'indexeddb' | 'memory';
  warning?: string;
  skipped: SkippedEntry[];
}

export interface HistorySlice {
  runs: RunRecord[];
  history: StorageStatus;
  /** The run shown in the results (highlighted in the Pareto chart). */
  currentRunId?: string;
  /** Up to two runs picked for the side-by-side comparison, in the order picked. */
  compareIds: string[];
  /** The shown run's exported files while they are read, or why it has none (absent: shown, or not asked for). */
  runFiles?: { runId: string; state: 'loading' | 'missing' | 'unreadable'; reason?: string };
  loadHistory: () => Promise<void>;
  addRun: (result: CompressJobResult, backend: TrainingBackendChoice, origin?: RunRecord['origin'], name?: string) => RunRecord;
  renameRun: (id: string, name: string) => void;
  deleteRun: (id: string) => void;
  showRun: (id: string) => void;
  toggleCompare: (id: string) => void;
  removeSkipped: () => void;
}

const table = idbTable('compression-studio-history');
const files = runFilesStore();

const MEMORY_ONLY = 'Runs are kept in this tab only and are lost when it closes; export them to keep them.';

export const createHistorySlice: StateCreator<StudioState, [], [], HistorySlice> = (set, get) => {
  /** Writes through to IndexedDB; on failure, switches to memory and says why. */
  const persist = (op: () => Promise<void>): Promise<void> => {
    if (get().history.storage === 'memory') return Promise.resolve();
    return op().catch((e: unknown) => set((s) => ({ history: { ...s.history, storage: 'memory', warning: `Run history could not be saved (${storageProblem(e)}). ${MEMORY_ONLY}` } })));
  };
  /** Puts a shown run's stored files back into its result, unless another result is shown by then. */
  const attachFiles = (runId: string, shown: CompressJobResult) => {
    set({ runFiles: { runId, state: 'loading' } });
    void files.load(runId).then((f) => {
      if (get().compress !== shown) return;
      if (f instanceof Error) set({ runFiles: { runId, state: 'unreadable', reason: f.message } });
      else if (f) set({ compress: { ...shown, exports: f }, runFiles: undefined });
      else set({ runFiles: { runId, state: 'missing' } });
    });
  };
  return {
    runs: [],
    history: { storage: 'loading', skipped: [] },
    compareIds: [],
    loadHistory: async () => {
      try {
        const stored = await table.list();
        const runs: RunRecord[] = [];
        const skipped: SkippedEntry[] = [];
        for (const [key, raw] of stored) {
          const r = restoreRun(raw);
          if (r instanceof Error) skipped.push({ key, reason: r.message });
          else if (r.id !== key) skipped.push({ key, reason: `it is stored under another id (${r.id})` });
          else runs.push(r);
        }
        set((s) => {
          // Runs that finished while the history loaded come first.
          const known = new Set(s.runs.map((r) => r.id));
          const all = [...s.runs, ...runs.filter((r) => !known.has(r.id))].sort((a, b) => b.createdAt - a.createdAt);
          // After a reload, the newest run is shown again (nothing computed is lost).
          const shown = s.compress || s.running ? {} : all[0] ? { compress: all[0].result as CompressJobResult, currentRunId: all[0].id } : {};
          return { runs: all, history: { storage: s.history.storage === 'memory' ? 'memory' : 'indexeddb', warning: s.history.warning, skipped }, ...shown };
        });
        const { compress, currentRunId } = get();
        if (compress && currentRunId && !compress.exports && compress === get().runs.find((r) => r.id === currentRunId)?.result) attachFiles(currentRunId, compress);
        // Runs added before the history was readable were not written yet.
        for (const r of get().runs) if (!stored.some(([k]) => k === r.id)) persist(() => table.put(r.id, r));
      } catch (e) {
        set((s) => ({ history: { ...s.history, storage: 'memory', warning: `Run history is not saved: ${storageProblem(e)}. ${MEMORY_ONLY}` } }));
      }
    },
    addRun: (result, backend, origin = 'run', name) => {
      const run = newRunRecord(result, backend, origin, name);
      set((s) => ({ runs: [run, ...s.runs], currentRunId: run.id, runFiles: undefined }));
      if (get().history.storage === 'indexeddb') persist(() => table.put(run.id, run));
      if (result.exports) {
        void files.save(run.id, result.exports).then((where) => {
          if (where.storage === 'memory' && get().history.storage !== 'memory') {
            set((s) => ({ history: { ...s.history, warning: `The exported files of “${run.name}” could not be saved (${where.reason}); they are kept in this tab only.` } }));
          }
        });
      }
      return run;
    },
    renameRun: (id, name) => {
      const clean = name.trim().slice(0, MAX_NAME_LENGTH);
      const run = get().runs.find((r) => r.id === id);
      if (!run || !clean || clean === run.name) return;
      const renamed = { ...run, name: clean };
      set((s) => ({ runs: s.runs.map((r) => (r.id === id ? renamed : r)) }));
      persist(() => table.put(id, renamed));
    },
    deleteRun: (id) => {
      set((s) => ({ runs: s.runs.filter((r) => r.id !== id), compareIds: s.compareIds.filter((c) => c !== id), currentRunId: s.currentRunId === id ? undefined : s.currentRunId }));
      persist(() => table.remove(id));
      void files.remove(id);
    },
    showRun: (id) => {
      const run = get().runs.find((r) => r.id === id);
      if (!run) return;
      const shown = run.result as CompressJobResult;
      set({ compress: shown, currentRunId: id });
      attachFiles(id, shown);
    },
    toggleCompare: (id) => set((s) => ({ compareIds: s.compareIds.includes(id) ? s.compareIds.filter((c) => c !== id) : [...s.compareIds, id].slice(-2) })),
    removeSkipped: () => {
      const keys = get().history.skipped.map((k) => k.key);
      // The notice goes once the entries are gone from storage, so a reload right after it cannot bring them back.
      void Promise.all(keys.flatMap((k) => [persist(() => table.remove(k)), files.remove(k)])).finally(() => set((s) => ({ history: { ...s.history, skipped: s.history.skipped.filter((e) => !keys.includes(e.key)) } })));
    },
  };
};
