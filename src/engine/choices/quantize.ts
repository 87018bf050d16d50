/** The quantization choices: the format, the weight-scale granularity and the calibration method. */
import { defineChoice, type IdOf } from './choice';

/** The words a format's clause of the run's sentence is made of (jobs/run-sentence.ts fills them in). */
export interface QuantSentenceWords {
  /** The weight scales and any reconstruction ("per channel with GPTQ rounding"). */
  granularity: string;
  /** How the activation ranges were chosen ("min-max"). */
  ranges: string;
  /** How many calibration images ("500"). */
  calibrationImages: string;
}

/**
 * Quantization formats. `format` is the report's name for the result (metrics/model-report.ts);
 * `int8Weights`: kernels are stored as int8 (so the granularity applies); `calibrates`: activation
 * ranges are calibrated on training images; `sentence`: its clause of the run's sentence.
 */
export const QUANT_MODES = defineChoice('quant.mode', [
  { id: 'none', label: 'None (float32)', help: 'Keep float32 weights and activations.', format: 'float32', int8Weights: false, calibrates: false, sentence: () => undefined },
  {
    id: 'int8',
    label: 'Full-integer INT8',
    help: 'int8 weights and activations, int32 biases, as TFLite’s full-integer quantization.',
    format: 'int8',
    int8Weights: true,
    calibrates: true,
    sentence: (w: QuantSentenceWords) => `quantized to int8 ${w.granularity} with ${w.ranges} ranges from ${w.calibrationImages} calibration images`,
    default: true,
  },
  {
    id: 'weight-int8',
    label: 'Weight-only INT8',
    help: 'int8 weights, float activations (dynamic-range style).',
    urlCode: 'w8',
    format: 'weight-int8',
    int8Weights: true,
    calibrates: false,
    sentence: (w: QuantSentenceWords) => `stored the weights as int8 ${w.granularity} (activations stay float)`,
  },
  { id: 'float16', label: 'float16', help: 'Every weight rounded to IEEE half precision.', urlCode: 'f16', format: 'float16', int8Weights: false, calibrates: false, sentence: () => 'stored the weights as float16' },
]);
export type QuantModeSetting = IdOf<typeof QUANT_MODES>;
/** A mode that quantizes (quantize/quantize-graph.ts). */
export type QuantMode = Exclude<QuantModeSetting, 'none'>;
/** How a report names a model's weights: float32, or the quantized format. */
export type ModelFormat = (typeof QUANT_MODES.options)[number]['format'];

/** Whether a report's format stores int8 kernels (full integer or weight-only). */
export function hasInt8Weights(format: ModelFormat): boolean {
  return QUANT_MODES.options.some((m) => m.format === format && m.int8Weights);
}

export const GRANULARITIES = defineChoice('quant.granularity', [
  { id: 'per-channel', label: 'Per channel', help: 'One scale per output channel (dense layers stay per tensor, as TFLite’s FULLY_CONNECTED).', urlCode: 'pc', default: true },
  { id: 'per-tensor', label: 'Per tensor', help: 'One scale per kernel.', urlCode: 'pt' },
]);
export type Granularity = IdOf<typeof GRANULARITIES>;

/**
 * How an activation's int8 range is chosen from calibration values (quantize/calibrate.ts).
 * `ranges`: how the run's sentence names the ranges (jobs/run-sentence.ts), given the settings' percentile.
 */
export const CALIBRATION_METHODS = defineChoice('quant.calibration.method', [
  { id: 'minmax', label: 'Min-max', help: 'The observed minimum and maximum: every value covered, outliers widen the step.', ranges: () => 'min-max', default: true },
  { id: 'percentile', label: 'Percentile', help: 'Clip the tails at the given percentile.', urlCode: 'pct', ranges: (percentile: number) => `${percentile}th-percentile` },
  { id: 'mse', label: 'MSE', help: 'The clip range that minimises the quantize-dequantize mean squared error.', ranges: () => 'MSE' },
]);
export type CalibrationMethod = IdOf<typeof CALIBRATION_METHODS>;

/** How int8 weights are rounded (recon/quantize-weights.ts). `sentence`: what the run's sentence says of it ('' for nothing). */
export const ROUNDINGS = defineChoice('quant.rounding', [
  { id: 'nearest', label: 'Nearest', help: 'Each weight to the nearest int8 level, as TFLite’s converter does.', sentence: '', default: true },
  {
    id: 'gptq',
    label: 'GPTQ (reconstruction)',
    help: 'Layer by layer, round one input column at a time and re-fit the weights not yet rounded to the layer’s calibration inputs, so the rounding errors cancel (Frantar et al. 2022, arXiv:2210.17323).',
    sentence: 'GPTQ rounding',
  },
]);
export type Rounding = IdOf<typeof ROUNDINGS>;

/** Whether each output's mean is restored after the weights are quantized (recon/quantize-weights.ts). `sentence` as ROUNDINGS'. */
export const BIAS_CORRECTIONS = defineChoice('quant.biasCorrection', [
  { id: 'none', label: 'None', help: 'Biases as they are.', sentence: '', default: true },
  {
    id: 'mean',
    label: 'Mean (empirical)',
    sentence: 'bias correction',
    help: 'Add (W − W_int8)·E[x] to each bias, E[x] from the layer’s calibration inputs, so rounding does not shift the outputs’ means (Nagel et al. 2019, arXiv:1906.04721).',
  },
]);
export type BiasCorrection = IdOf<typeof BIAS_CORRECTIONS>;
