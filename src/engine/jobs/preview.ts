/**
 * A live preview of a recipe: the compression job itself (compress.ts) on a small test subset,
 * with few calibration images, no fine-tuning and nothing timed, the model and data kept between
 * previews (`memo`). Sizes are exact (they do not depend on the test images); accuracy is on the
 * subset, and the result says how many images and what the preview left out, so it is never
 * mistaken for the full measurement that Compress runs.
 */
import { compressBaseline, type CompressContext, type CompressResult, type Memo } from './compress';
import { pruneMethodOf, pruneParam, type CompressSettings } from './compress-settings';
import type { BaselineEntry } from '../types';
import { QUANT_MODES } from '../choices/quantize';

/** Test images a preview evaluates: about PREVIEW_MACS multiply-accumulates' worth, within these bounds. */
export const PREVIEW_MACS = 3e9;
export const PREVIEW_MIN_IMAGES = 100;
export const PREVIEW_MAX_IMAGES = 500;
/** Calibration images of a preview (the recipe's own count if smaller), and the training records they are drawn from. */
export const PREVIEW_CALIBRATION = 16;
export const PREVIEW_TRAIN_RECORDS = 1000;
/**
 * Images a reconstruction method re-fits each layer on in a preview (the recipe's own count if
 * smaller). 12, not 16: MobileNetV1 1.0's preview spends most of its time in work that grows with
 * the input vectors (its 512-wide layers' fit to the dense model, their statistics, the forward
 * passes), and 12 took it from 4.07 to 3.34 s in one process (median of 8, 2026-12-07), with the
 * same previewed accuracy within the noise of 100 test images (30-80%: 93/92/87/64% against
 * 92/92/81/62%).
 */
export const PREVIEW_RECON_IMAGES = 12;

/** The test images a preview of this model evaluates (fewer for a heavier model), never more than the recipe's. */
export function previewImages(entry: Pick<BaselineEntry, 'macs' | 'testData'>, s: Pick<CompressSettings, 'evalLimit'>): number {
  const budget = Math.round(PREVIEW_MACS / Math.max(1, entry.macs));
  const n = Math.min(PREVIEW_MAX_IMAGES, Math.max(PREVIEW_MIN_IMAGES, budget));
  return Math.min(n, entry.testData.count, s.evalLimit ?? Infinity);
}

/** The settings a preview runs for `s`, and what it leaves out of the recipe, in words. */
export function previewSettings(entry: Pick<BaselineEntry, 'macs' | 'testData'>, s: CompressSettings): { settings: CompressSettings; omitted: string[] } {
  const omitted: string[] = [];
  if (s.finetune.epochs > 0) omitted.push('no fine-tuning');
  const gradual = s.prune.schedule.kind === 'gradual';
  if (gradual) omitted.push('pruned at once, not gradually');
  const samples = Math.min(PREVIEW_CALIBRATION, s.quant.calibration.samples);
  if (QUANT_MODES.get(s.quant.mode).calibrates && samples < s.quant.calibration.samples) omitted.push(`calibrated on ${samples} images`);
  const method = pruneMethodOf(s.prune);
  const reconImages = method.needsCalibrationData ? Math.min(PREVIEW_RECON_IMAGES, pruneParam(s.prune, 'images')) : undefined;
  if (reconImages !== undefined && reconImages < pruneParam(s.prune, 'images')) omitted.push(`layers re-fitted on ${reconImages} images`);
  // The exact solve of the kept weights would add about 7e8 multiply-adds on the custom CNN at 35%
  // (recon/refit.ts refitCost; a quarter of a second of the float64 loops), a quarter of the
  // preview's budget, for a tenth or a few tenths of a point.
  const refit = method.params.some((x) => x.key === 'refit') && pruneParam(s.prune, 'refit') === 1;
  if (refit) omitted.push('kept weights not re-solved exactly');
  const params = { ...s.prune.params, ...(reconImages !== undefined ? { images: reconImages } : {}), ...(refit ? { refit: 0 } : {}) };
  // The sensitivity analysis takes tens of seconds; a preview has a second or two.
  const uniform = method.uses.allocation && s.prune.allocation !== 'uniform';
  if (uniform) omitted.push('the same sparsity in every layer (no sensitivity analysis)');
  omitted.push('latency not measured');
  return {
    settings: {
      ...s,
      prune: { ...s.prune, allocation: uniform ? 'uniform' : s.prune.allocation, schedule: gradual ? { kind: 'one-shot' } : s.prune.schedule, params },
      finetune: { ...s.finetune, epochs: 0, trainLimit: Math.max(PREVIEW_TRAIN_RECORDS, samples), maxSteps: undefined },
      quant: { ...s.quant, calibration: { ...s.quant.calibration, samples } },
      evalLimit: previewImages(entry, s),
      latencyRuns: 1,
    },
    omitted,
  };
}

export type PreviewResult = Pick<CompressResult, 'modelId' | 'dataset' | 'backend' | 'testRecords' | 'before' | 'after' | 'summary' | 'elapsedMs'> & {
  /** The recipe previewed (as the user set it; the preview ran previewSettings of it). */
  settings: CompressSettings;
  /** Test images the accuracy is from. */
  images: number;
  /** What the preview left out of the recipe. */
  omitted: string[];
};

export async function previewCompress(entry: BaselineEntry, settings: CompressSettings, ctx: Omit<CompressContext, 'quick' | 'onModels'> & { memo: Memo }): Promise<PreviewResult> {
  const p = previewSettings(entry, settings);
  const r = await compressBaseline(entry, p.settings, { read: ctx.read, signal: ctx.signal, onProgress: ctx.onProgress, quick: { memo: ctx.memo } });
  return { modelId: r.modelId, dataset: r.dataset, backend: r.backend, testRecords: r.testRecords, before: r.before, after: r.after, summary: r.summary, elapsedMs: r.elapsedMs, settings, images: r.testRecords.count, omitted: p.omitted };
}
