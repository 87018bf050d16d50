/**
 * The per-layer sensitivity view's state: its form (images and sparsities, as typed), which measure
 * the chart plots, the layer picked in its legend, and the latest analysis of each model in this
 * tab (state/jobs.ts runSensitivity; the worker also keeps reports, per weights and settings, so
 * asking again is quick). Analyses are not saved: they are cheap to ask for again and belong to the
 * weights they measured.
 */
import type { StateCreator } from 'zustand';
import { StudioError } from '../engine/errors';
import type { SensitivityJobResult } from '../engine/jobs/results';
import { SENSITIVITY_DEFAULTS, SENSITIVITY_LIMITS, validateSensitivitySettings, type SensitivitySettings } from '../engine/jobs/sensitivity-settings';

/** The form's bounds (the engine's, so the page and the worker agree). */
export const SENSITIVITY_FORM_LIMITS = SENSITIVITY_LIMITS;
import type { StudioState } from './store';
import { parseSweep } from './sweep-slice';

/** What the chart plots against sparsity: held-back accuracy, or the KL divergence from the unchanged model's predictions. */
export type SensitivityMetric = 'accuracy' | 'divergence';

export interface SensitivityForm {
  calibrationImages: number;
  heldOutImages: number;
  /** As typed: fractions (0.5) or percentages (50%), separated by commas or spaces. */
  sparsities: string;
}

export interface SensitivitySlice {
  sensitivityForm: SensitivityForm;
  setSensitivityForm: (patch: Partial<SensitivityForm>) => void;
  sensitivityMetric: SensitivityMetric;
  setSensitivityMetric: (m: SensitivityMetric) => void;
  /** The layer the legend pinned (highlighted until picked again); undefined: none. */
  sensitivityLayer?: string;
  setSensitivityLayer: (layer: string | undefined) => void;
  /** The latest finished analysis per model id. */
  sensitivity: Record<string, SensitivityJobResult>;
  sensitivityDone: (r: SensitivityJobResult) => void;
}

export const DEFAULT_SENSITIVITY_FORM: SensitivityForm = {
  calibrationImages: SENSITIVITY_DEFAULTS.calibrationImages,
  heldOutImages: SENSITIVITY_DEFAULTS.heldOutImages,
  sparsities: SENSITIVITY_DEFAULTS.sparsities.join(', '),
};

/** The form as the job's settings, or the reason it cannot be sent (the engine's own check, so the page and the worker agree). */
export function sensitivitySettings(f: SensitivityForm): SensitivitySettings | string {
  const sparsities = parseSweep(f.sparsities);
  if (typeof sparsities === 'string') return sparsities;
  try {
    return validateSensitivitySettings({ calibrationImages: f.calibrationImages, heldOutImages: f.heldOutImages, sparsities });
  } catch (e) {
    if (e instanceof StudioError) return e.message;
    throw e;
  }
}

export const createSensitivitySlice: StateCreator<StudioState, [], [], SensitivitySlice> = (set) => ({
  sensitivityForm: DEFAULT_SENSITIVITY_FORM,
  setSensitivityForm: (patch) => set((s) => ({ sensitivityForm: { ...s.sensitivityForm, ...patch } })),
  sensitivityMetric: 'accuracy',
  setSensitivityMetric: (sensitivityMetric) => set({ sensitivityMetric }),
  sensitivityLayer: undefined,
  setSensitivityLayer: (sensitivityLayer) => set({ sensitivityLayer }),
  sensitivity: {},
  sensitivityDone: (r) => set((s) => ({ sensitivity: { ...s.sensitivity, [r.modelId]: r } })),
});
