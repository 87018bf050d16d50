/**
 * The studio's per-layer sensitivity job: for a shipped or uploaded model, each weighted layer
 * pruned alone by reconstruction at each sparsity, and quantized alone to int8, with its output
 * error and the model's accuracy and KL divergence on held-back training images
 * (recon/sensitivity.ts). Calibration and held-back images both come from the training split (a
 * seeded permutation of all of it, the first `calibrationImages` and the next `heldOutImages`),
 * never from the test records. Reports are kept per weights and settings (recon/sensitivity-cache.ts):
 * the same analysis asked twice is answered from the cache, and at the default settings it is the
 * same entry that a Compress with sensitivity allocation reads for its first pass, either way round.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReadFile } from '../data/load';
import { loadDataset } from '../data/load';
import { getDataset } from '../data/registry';
import { StudioError } from '../errors';
import { graphFromLayersModel } from '../graph/from-layers';
import { type Graph, isWeighted } from '../graph/ir';
import { loadLayersModel } from '../models/load';
import { cachedSensitivity } from '../recon/sensitivity-cache';
import type { SensitivityReport } from '../recon/sensitivity';
import type { BaselineEntry, DatasetId } from '../types';
import { SENSITIVITY_DAMP, validateSensitivitySettings, type SensitivitySettings } from './sensitivity-settings';

export type SensitivityStage = 'load-model' | 'load-data' | 'sensitivity';

export interface SensitivityContext {
  read: ReadFile;
  signal?: AbortSignal;
  /** Per stage; the 'sensitivity' stage counts layers done out of all. */
  onProgress?: (stage: SensitivityStage, done: number, total: number) => void;
}

export interface SensitivityResult {
  modelId: string;
  dataset: DatasetId;
  backend: string;
  /** As validated (sparsities sorted). */
  settings: SensitivitySettings;
  /** Training images the calibration and held-back sets were drawn from. */
  trainImages: number;
  report: SensitivityReport;
  /** Answered from the worker's cache (an earlier analysis, or a Compress's allocation, with the same weights and settings). */
  reused: boolean;
  elapsedMs: number;
}

export async function analyseSensitivity(entry: BaselineEntry, settings: SensitivitySettings, ctx: SensitivityContext): Promise<SensitivityResult> {
  const s = validateSensitivitySettings(settings);
  const t0 = performance.now();
  const d = getDataset(entry.dataset);
  ctx.onProgress?.('load-model', 0, 1);
  const loaded = await loadLayersModel(entry.path, ctx.read, entry.files);
  const g = ((): Graph => {
    try {
      return graphFromLayersModel(loaded.model);
    } finally {
      loaded.model.dispose();
    }
  })();
  ctx.signal?.throwIfAborted();
  ctx.onProgress?.('load-data', 0, 1);
  // All of the training split, as a Compress without a training limit loads it: the permutation the
  // two sets are drawn from spans it, and the cache key names its size.
  const train = await loadDataset(d, 'train', (name) => ctx.read(`data/${d.id}/${name}`));
  ctx.signal?.throwIfAborted();
  if (s.calibrationImages + s.heldOutImages > train.count)
    throw new StudioError('bad-settings', `${s.calibrationImages} calibration and ${s.heldOutImages} held-back images are more than the ${train.count.toLocaleString('en')} training images of ${d.label}.`, {
      field: 'sensitivity.heldOutImages',
      found: s.heldOutImages,
    });
  // Every weighted layer, named: a Compress whose recipe prunes all of them asks with the same list.
  const layers = g.nodes.filter(isWeighted).map((n) => n.name);
  // The analysis reports a layer when it is done; the stage starts now, before the first one.
  ctx.onProgress?.('sensitivity', 0, layers.length);
  const { report, reused } = await cachedSensitivity(
    g,
    { images: train, preprocessing: entry.preprocessing, samples: s.calibrationImages },
    { sparsities: s.sparsities, heldOut: s.heldOutImages, granularity: 'per-channel', damp: SENSITIVITY_DAMP, layers, signal: ctx.signal, onProgress: (done, total) => ctx.onProgress?.('sensitivity', done, total) },
  );
  ctx.onProgress?.('sensitivity', report.layers.length, report.layers.length);
  return { modelId: entry.id, dataset: d.id, backend: tf.getBackend(), settings: s, trainImages: train.count, report, reused, elapsedMs: performance.now() - t0 };
}
