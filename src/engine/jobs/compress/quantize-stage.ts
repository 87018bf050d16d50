/**
 * The quantize stage: calibrate activation ranges on a seeded subset of *training* images (full
 * integer only), build the quantized model, and measure per-layer SQNR on 32 training images.
 */
import { QUANT_MODES, type QuantMode } from '../../choices/quantize';
import type { Graph } from '../../graph/ir';
import { withoutFinalSoftmax } from '../../graph/rewrite';
import { toInputTensorAt } from '../../preprocess';
import { calibrateGraph, calibrationIndices } from '../../quantize/calibrate-graph';
import { quantizeGraph, type QuantizedModel } from '../../quantize/quantize-graph';
import { layerSqnr, type LayerSqnr } from '../../quantize/sqnr';
import { reconstructInt8Weights, reconstructsWeights } from '../../recon/quantize-weights';
import type { BaselineEntry, ImageDataset, Preprocessing } from '../../types';
import type { CompressSettings } from '../compress-settings';
import type { CompressContext, StageRecord } from './types';

/**
 * The quantized model of an inference graph, as the stage makes it (the automatic search makes its
 * candidates with it too, so a candidate is the model the job would make): GPTQ rounding and bias
 * correction put the kernels on their int8 grid before calibration, so the activation ranges are
 * those of the model as it will run.
 */
export async function quantizeModel(
  infIn: Graph,
  mode: QuantMode,
  s: Pick<CompressSettings, 'quant'>,
  train: ImageDataset | undefined,
  preprocessing: Preprocessing,
  o: { signal?: AbortSignal; onProgress?: (stage: 'quantize' | 'calibrate', done: number, total: number) => void } = {},
): Promise<{ quantized: QuantizedModel; reconstructs: boolean; calibrates: boolean }> {
  const calibrates = QUANT_MODES.get(mode).calibrates;
  // Full integer: a final softmax stays out of the int8 model (graph/rewrite.ts withoutFinalSoftmax).
  let inf = calibrates ? withoutFinalSoftmax(infIn) : infIn;
  const reconstructs = QUANT_MODES.get(mode).int8Weights && reconstructsWeights(s.quant);
  if (reconstructs) {
    inf = await reconstructInt8Weights(inf, { images: train!, preprocessing, samples: s.quant.calibration.samples }, s.quant, {
      signal: o.signal,
      onProgress: (dn, t) => o.onProgress?.('quantize', dn, t),
    });
  }
  let ranges = {};
  if (calibrates) {
    ranges = await calibrateGraph(inf, train!, preprocessing, {
      method: s.quant.calibration.method,
      samples: s.quant.calibration.samples,
      percentile: s.quant.calibration.percentile,
      signal: o.signal,
      onProgress: (dn, t) => o.onProgress?.('calibrate', dn, t),
    });
  }
  o.onProgress?.('quantize', 0, 1);
  return { quantized: quantizeGraph(inf, mode, s.quant.granularity, ranges), reconstructs, calibrates };
}

export async function quantizeStage(
  infIn: Graph,
  mode: QuantMode,
  s: CompressSettings,
  train: ImageDataset | undefined,
  test: ImageDataset,
  entry: BaselineEntry,
  ctx: CompressContext,
): Promise<{ quantized: QuantizedModel; sqnr: LayerSqnr[]; record: StageRecord }> {
  const t0 = performance.now();
  const { quantized, reconstructs, calibrates } = await quantizeModel(infIn, mode, s, train, entry.preprocessing, { signal: ctx.signal, onProgress: (stage, dn, t) => ctx.onProgress?.(stage, dn, t) });
  // SQNR on calibration images (training data), never on the test records.
  const sqnrSource = train ?? test;
  let sqnr: LayerSqnr[] = [];
  if (!ctx.quick) {
    const xs = toInputTensorAt(sqnrSource, calibrationIndices(sqnrSource.count, 32, 7), entry.preprocessing);
    try {
      sqnr = await layerSqnr(quantized, xs);
    } finally {
      xs.dispose();
    }
  }
  const record: StageRecord = {
    stage: 'quantize',
    settings: s.quant,
    elapsedMs: performance.now() - t0,
    detail: { calibrationImages: calibrates || reconstructs ? Math.min(s.quant.calibration.samples, train!.count) : 0, calibrationSource: 'training split', rounding: s.quant.rounding, biasCorrection: s.quant.biasCorrection },
  };
  return { quantized, sqnr, record };
}
