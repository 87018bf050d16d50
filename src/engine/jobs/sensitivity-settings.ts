/**
 * The settings of a per-layer sensitivity analysis (jobs/sensitivity.ts, recon/sensitivity.ts): how
 * many training images calibrate each layer's reconstruction, how many held-back training images
 * the accuracy and divergence are measured on, and the sparsities each layer is tried at. Pure and
 * free of tfjs, so the page validates a request before it is sent. The defaults are those of a
 * Compress with sensitivity allocation (prune/methods/reconstruction.ts reads its grid from here),
 * so an analysis at the defaults is the one that allocation's first pass reuses from the cache.
 */
import { PRUNE_METHODS } from '../choices/prune-methods';
import { StudioError } from '../errors';

/** Sparsities the allocation measures each layer at (fractions 0-1); 0.95 is the most any layer gets. */
export const ALLOCATION_GRID = [0.3, 0.5, 0.7, 0.8, 0.9, 0.95] as const;
/**
 * Held-back training images the allocation's sensitivity is measured on. The KL divergence is
 * smooth, so a hundred or two suffice: 128 (was 256) halved the analyses' time on MobileNetV1 1.0
 * and kept every target of docs/RECONSTRUCTION.md (measured again with it, 2026-12-07).
 */
export const ALLOCATION_HELD_OUT = 128;
/** A default of pruning with reconstruction's own parameters (choices/prune-methods.ts). */
const reconDefault = (key: string): number => PRUNE_METHODS.get('obs').params.find((p) => p.key === key)!.default;
/** Calibration images per layer of pruning with reconstruction: its `images` parameter's default. */
export const ALLOCATION_CALIBRATION = reconDefault('images');
/** The Hessian's damping (fraction of its mean diagonal) the analysis reconstructs with: the `damp` parameter's default. */
export const SENSITIVITY_DAMP = reconDefault('damp');

export interface SensitivitySettings {
  /** Training images each layer's reconstruction is fitted on (the first of a seeded permutation). */
  calibrationImages: number;
  /** Training images after those, in the same permutation, that accuracy and divergence are measured on. */
  heldOutImages: number;
  /** Sparsities (fractions, 0 < s < 1) each layer is pruned to, alone. */
  sparsities: number[];
}

export const SENSITIVITY_DEFAULTS: SensitivitySettings = { calibrationImages: ALLOCATION_CALIBRATION, heldOutImages: ALLOCATION_HELD_OUT, sparsities: [...ALLOCATION_GRID] };

/** Bounds of the form and the validator: a few images give a singular, damped-only Hessian; more than these take many minutes. */
export const SENSITIVITY_LIMITS = { calibrationImages: { min: 8, max: 2048 }, heldOutImages: { min: 16, max: 5000 }, maxSparsities: 8 } as const;

function whole(field: keyof typeof SENSITIVITY_LIMITS & ('calibrationImages' | 'heldOutImages'), v: unknown): void {
  const { min, max } = SENSITIVITY_LIMITS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new StudioError('bad-settings', `sensitivity.${field} must be a whole number from ${min} to ${max}, got ${String(v)}.`, { field: `sensitivity.${field}`, found: v });
}

/** Throws a StudioError naming the first bad field; the sparsities come back sorted, without repeats. */
export function validateSensitivitySettings(s: SensitivitySettings): SensitivitySettings {
  whole('calibrationImages', s.calibrationImages);
  whole('heldOutImages', s.heldOutImages);
  const sp = s.sparsities;
  if (!Array.isArray(sp) || sp.length === 0 || sp.length > SENSITIVITY_LIMITS.maxSparsities)
    throw new StudioError('bad-settings', `sensitivity.sparsities must list 1 to ${SENSITIVITY_LIMITS.maxSparsities} sparsities, got ${Array.isArray(sp) ? sp.length : String(sp)}.`, { field: 'sensitivity.sparsities' });
  for (const x of sp)
    if (typeof x !== 'number' || !(x > 0 && x < 1)) throw new StudioError('bad-settings', `sensitivity.sparsities must be fractions between 0 and 1 (exclusive), got ${String(x)}.`, { field: 'sensitivity.sparsities', found: x });
  return { ...s, sparsities: [...new Set(sp)].sort((a, b) => a - b) };
}
