/**
 * The studio's state, one zustand store. Engine results are stored as the worker returned them;
 * components derive what they show from here and compute no figures of their own.
 */
import { create } from 'zustand';
import type { BackendName } from '../engine/backend/init';
import type { SerializedError } from '../engine/errors';
import type { BaselineEntry } from '../engine/types';
import type { CompressJobResult, EvaluateResult, FinetuneJobResult, JobResult } from '../workers/protocol';
import type { Progress } from '../workers/client';

export interface DataManifestEntry {
  id: string;
  available: boolean;
  source?: string;
  error?: string;
}

export interface StudioState {
  baselines: BaselineEntry[];
  datasets: Record<string, DataManifestEntry>;
  loadError?: string;
  selectedId?: string;
  backend: BackendName;
  running?: { jobId: number; progress?: Progress; startedAt: number };
  result?: EvaluateResult;
  finetune?: FinetuneJobResult;
  compress?: CompressJobResult;
  error?: SerializedError;
  setCatalog: (baselines: BaselineEntry[], datasets: Record<string, DataManifestEntry>) => void;
  setLoadError: (message: string) => void;
  select: (id: string) => void;
  setBackend: (b: BackendName) => void;
  started: (jobId: number) => void;
  progressed: (p: Progress) => void;
  finished: (r: JobResult) => void;
  failed: (e: SerializedError) => void;
}

export const useStudio = create<StudioState>((set) => ({
  baselines: [],
  datasets: {},
  backend: 'wasm',
  setCatalog: (baselines, datasets) => set((s) => ({ baselines, datasets, selectedId: s.selectedId ?? baselines[0]?.id })),
  setLoadError: (loadError) => set({ loadError }),
  select: (selectedId) => set({ selectedId }),
  setBackend: (backend) => set({ backend }),
  started: (jobId) => set({ running: { jobId, startedAt: performance.now() }, error: undefined }),
  progressed: (progress) => set((s) => (s.running ? { running: { ...s.running, progress } } : {})),
  // A new result replaces the old one only when it arrives; a failure keeps the earlier result.
  finished: (r) => set(r.type === 'evaluate' ? { result: r, running: undefined } : r.type === 'finetune' ? { finetune: r, running: undefined } : { compress: r, running: undefined }),
  failed: (error) => set({ error, running: undefined }),
}));
