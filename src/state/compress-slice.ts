/**
 * The compression settings as the user edits them: a full CompressSettings (engine defaults to
 * start with) and the backend choice. Editing a field clears an error that named that field, so a
 * message never outlives the value it was about.
 */
import type { StateCreator } from 'zustand';
import { DEFAULT_SETTINGS, type CompressSettings, type PruneSettings, type QuantSettings, type TrainSettings } from '../engine/jobs/compress-settings';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { StudioState } from './store';

export interface CompressSlice {
  compressSettings: CompressSettings;
  compressBackend: TrainingBackendChoice;
  setPrune: (patch: Partial<PruneSettings>) => void;
  /** Sets (a fraction) or clears (undefined) one layer's sparsity override. */
  setOverride: (layer: string, sparsity: number | undefined) => void;
  setFinetune: (patch: Partial<TrainSettings>) => void;
  setQuant: (patch: Partial<Omit<QuantSettings, 'calibration'>>) => void;
  setCalibration: (patch: Partial<QuantSettings['calibration']>) => void;
  setEvalLimit: (evalLimit: number | undefined) => void;
  setLatencyRuns: (latencyRuns: number) => void;
  setStageAccuracy: (stageAccuracy: boolean) => void;
  setCompressBackend: (b: TrainingBackendChoice) => void;
  /** Replaces every setting (a shared link, a run from the history); clears a compression error. */
  replaceSettings: (settings: CompressSettings, backend?: TrainingBackendChoice) => void;
}

/** The error to keep after the fields `changed` (dotted paths) were edited. */
function keepError(s: StudioState, changed: string[]): Pick<StudioState, 'error'> {
  const field = s.error?.job === 'compress' ? s.error.error.context.field : undefined;
  if (typeof field !== 'string') return { error: s.error };
  return { error: changed.some((c) => field === c || field.startsWith(`${c}.`)) ? undefined : s.error };
}

const paths = (prefix: string, patch: object) => Object.keys(patch).map((k) => `${prefix}.${k}`);

export const createCompressSlice: StateCreator<StudioState, [], [], CompressSlice> = (set) => ({
  compressSettings: structuredClone(DEFAULT_SETTINGS),
  compressBackend: 'auto',
  setPrune: (patch) => set((s) => ({ compressSettings: { ...s.compressSettings, prune: { ...s.compressSettings.prune, ...patch } }, ...keepError(s, paths('prune', patch)) })),
  setOverride: (layer, sparsity) =>
    set((s) => {
      const overrides = { ...s.compressSettings.prune.overrides };
      if (sparsity === undefined) delete overrides[layer];
      else overrides[layer] = sparsity;
      const e = s.error?.job === 'compress' ? s.error.error.context : undefined;
      const aboutLayer = e && (e.layer === layer || (Array.isArray(e.layers) && e.layers.includes(layer)));
      return { compressSettings: { ...s.compressSettings, prune: { ...s.compressSettings.prune, overrides } }, ...(aboutLayer ? { error: undefined } : keepError(s, [`prune.overrides.${layer}`])) };
    }),
  setFinetune: (patch) => set((s) => ({ compressSettings: { ...s.compressSettings, finetune: { ...s.compressSettings.finetune, ...patch } }, ...keepError(s, paths('finetune', patch)) })),
  setQuant: (patch) => set((s) => ({ compressSettings: { ...s.compressSettings, quant: { ...s.compressSettings.quant, ...patch } }, ...keepError(s, paths('quant', patch)) })),
  setCalibration: (patch) =>
    set((s) => ({
      compressSettings: { ...s.compressSettings, quant: { ...s.compressSettings.quant, calibration: { ...s.compressSettings.quant.calibration, ...patch } } },
      ...keepError(s, paths('quant.calibration', patch)),
    })),
  setEvalLimit: (evalLimit) => set((s) => ({ compressSettings: { ...s.compressSettings, evalLimit }, ...keepError(s, ['evalLimit']) })),
  setLatencyRuns: (latencyRuns) => set((s) => ({ compressSettings: { ...s.compressSettings, latencyRuns }, ...keepError(s, ['latencyRuns']) })),
  setStageAccuracy: (stageAccuracy) => set((s) => ({ compressSettings: { ...s.compressSettings, stageAccuracy }, ...keepError(s, ['stageAccuracy']) })),
  setCompressBackend: (compressBackend) => set({ compressBackend }),
  replaceSettings: (settings, backend) => set((s) => ({ compressSettings: structuredClone(settings), compressBackend: backend ?? s.compressBackend, error: s.error?.job === 'compress' ? undefined : s.error })),
});
