/**
 * Activation range calibration: from observed values, choose the [min, max] an int8 tensor
 * covers. Min-max keeps every value (outliers widen the step); percentile clips the tails;
 * MSE-optimal searches the clip range that minimises the quantize-dequantize mean squared error
 * (as TensorRT/NNI-style "MSE" calibrators do).
 */
import { asymmetricParams, fakeQuantize } from './affine';

import { CALIBRATION_METHODS, type CalibrationMethod } from '../choices/quantize';
export type { CalibrationMethod };

export interface Range {
  min: number;
  max: number;
}

export function minMaxRange(values: ArrayLike<number>): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max };
}

/** Clip to the [100-p, p] percentiles (nearest rank), e.g. p = 99.99. */
export function percentileRange(values: ArrayLike<number>, p: number): Range {
  if (values.length === 0) return { min: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[clampIndex(Math.ceil((q / 100) * sorted.length) - 1, sorted.length)];
  return { min: at(100 - p), max: at(p) };
}

function clampIndex(i: number, n: number): number {
  return Math.max(0, Math.min(n - 1, i));
}

/** Quantize-dequantize MSE of `values` under the int8 range r. */
export function quantizationMse(values: ArrayLike<number>, r: Range): number {
  const p = asymmetricParams(r.min, r.max);
  let se = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - fakeQuantize(values[i], p);
    se += d * d;
  }
  return values.length === 0 ? 0 : se / values.length;
}

/** Shrinks the min-max range by factors in (0, 1] and keeps the one with the lowest MSE. */
export function mseRange(values: ArrayLike<number>, steps = 100): Range {
  const full = minMaxRange(values);
  let best = full;
  let bestMse = quantizationMse(values, full);
  for (let i = 1; i < steps; i++) {
    const f = 1 - i / steps;
    const r = { min: full.min * f, max: full.max * f };
    const mse = quantizationMse(values, r);
    if (mse < bestMse) {
      best = r;
      bestMse = mse;
    }
  }
  return best;
}

/** One range finder per calibration method of the table (the Record makes a new method a compile error here). */
const RANGES: Record<CalibrationMethod, (values: ArrayLike<number>, percentile: number) => Range> = {
  minmax: (v) => minMaxRange(v),
  percentile: (v, p) => percentileRange(v, p),
  mse: (v) => mseRange(v),
};

export function calibrate(values: ArrayLike<number>, method: CalibrationMethod, percentile = 99.99): Range {
  return RANGES[CALIBRATION_METHODS.check(method).id](values, percentile);
}
