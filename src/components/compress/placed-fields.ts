import type { SerializedError } from '../../engine/errors';

/** Settings fields that have a control of their own, where an error about them is shown. */
export const PLACED_FIELDS: ReadonlySet<string> = new Set([
  'prune.method',
  'prune.sparsity',
  'prune.schedule',
  'prune.schedule.initialSparsity',
  'prune.criterion',
  'prune.allocation',
  'prune.spareFirstLast',
  'finetune.epochs',
  'finetune.batchSize',
  'finetune.learningRate',
  'finetune.optimizer',
  'finetune.trainLimit',
  'quant.mode',
  'quant.granularity',
  'quant.rounding',
  'quant.biasCorrection',
  'quant.calibration.method',
  'quant.calibration.samples',
  'quant.calibration.percentile',
  'evalLimit',
  'stageAccuracy',
  'latencyRuns',
]);

/**
 * The override layer an error is about: settings validation names the field
 * "prune.overrides.<layer>", the pruners name the layer (or two coupled layers) in context.
 */
export function overrideLayersOf(e: SerializedError): string[] {
  const c = e.context;
  const field = typeof c.field === 'string' && c.field.startsWith('prune.overrides.') ? [c.field.slice('prune.overrides.'.length)] : [];
  const layer = typeof c.layer === 'string' ? [c.layer] : [];
  const layers = Array.isArray(c.layers) ? c.layers.filter((l): l is string => typeof l === 'string') : [];
  return [...field, ...layer, ...layers];
}

/** Whether a control shows this error (so the run bar only points to it). */
export function hasControl(e: SerializedError, overrides: Record<string, number>): boolean {
  const f = e.context.field;
  if (typeof f === 'string' && PLACED_FIELDS.has(f)) return true;
  return overrideLayersOf(e).some((l) => l in overrides);
}
