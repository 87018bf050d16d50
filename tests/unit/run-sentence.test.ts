/**
 * The one-line account of a run under the headline (engine/jobs/run-sentence.ts): each part read
 * off the result, figures checked by hand.
 */
import { describe, expect, it } from 'vitest';
import type { CompressResult, StageRecord } from '../../src/engine/jobs/compress';
import { withDefaults, type PartialCompressSettings } from '../../src/engine/jobs/compress-settings';
import { runSentence } from '../../src/engine/jobs/run-sentence';
import type { ModelReport } from '../../src/engine/metrics/model-report';

function report(p: { format: ModelReport['format']; accuracy: number; params: number; nonZero: number; deployed: number; gzip?: number; count?: number }): ModelReport {
  return {
    format: p.format,
    params: p.params,
    nonZeroParams: p.nonZero,
    metrics: { accuracy: p.accuracy, count: p.count ?? 1000 },
    size: { float32Bytes: p.params * 4, deployedBytes: p.deployed, gzipBytes: p.gzip ?? 0 },
  } as ModelReport;
}

function result(settings: PartialCompressSettings, stages: StageRecord[], before: ModelReport, after: ModelReport): CompressResult {
  // The sentences below were written against these choices; a test that needs another says so.
  const s = withDefaults({ ...settings, prune: { method: 'per-layer', sparsity: 0.5, allocation: 'sensitivity', spareFirstLast: false, ...settings.prune } });
  return { settings: s, stages, before, after } as CompressResult;
}

const quantStage = (images: number): StageRecord => ({ stage: 'quantize', settings: {}, elapsedMs: 1, detail: { calibrationImages: images } });
const base = report({ format: 'float32', accuracy: 0.855, params: 100_000, nonZero: 100_000, deployed: 400_000 });

describe('run sentence', () => {
  it('per-layer pruning + int8: gzip size against float32, points of accuracy', () => {
    // 1 - 71,600 / 400,000 = 82.1%; 0.853 - 0.855 = -0.2 points.
    const after = report({ format: 'int8', accuracy: 0.853, params: 100_000, nonZero: 50_000, deployed: 101_000, gzip: 71_600 });
    expect(runSentence(result({}, [quantStage(500)], base, after))).toBe(
      'Pruned 50% of the conv and dense weights of each layer by magnitude, quantized to int8 per channel with min-max ranges from 500 calibration images: 82.1% smaller (gzip), −0.20 points of accuracy on 1,000 test images.',
    );
  });

  it('reconstruction pruning with GPTQ rounding and bias correction: the images it re-fitted on, and what the rounding did', () => {
    const after = report({ format: 'int8', accuracy: 0.848, params: 100_000, nonZero: 50_000, deployed: 101_000, gzip: 71_600 });
    const s = { prune: { method: 'obs' as const, allocation: 'uniform' as const, params: { images: 128 } }, quant: { rounding: 'gptq' as const, biasCorrection: 'mean' as const } };
    expect(runSentence(result(s, [quantStage(500)], base, after))).toBe(
      'Pruned 50% of the conv and dense weights of each layer by their effect on its outputs, re-fitting the kept weights on 128 training images (no training), quantized to int8 per channel with GPTQ rounding and bias correction with min-max ranges from 500 calibration images: 82.1% smaller (gzip), −0.70 points of accuracy on 1,000 test images.',
    );
  });

  it('reconstruction pruning with sensitivity allocation: the sparsity is of all the weights, spread by sensitivity', () => {
    const after = report({ format: 'int8', accuracy: 0.848, params: 100_000, nonZero: 50_000, deployed: 101_000, gzip: 71_600 });
    const s = { prune: { method: 'obs' as const, params: { images: 128 } } };
    expect(runSentence(result(s, [quantStage(500)], base, after))).toMatch(
      /^Pruned 50% of all the conv and dense weights, more in the layers whose pruning alone moves the predictions least, each layer's by their effect on its outputs, re-fitting the kept weights on 128 training images \(no training\), quantized to int8/,
    );
  });

  it('a preview (no gzip measured): the sparse bytes of the model’s own format where gzip would be the measure', () => {
    // Sparse int8: 1 - 60,000 / 400,000 = 85%.
    const after = { ...report({ format: 'int8', accuracy: 0.85, params: 100_000, nonZero: 50_000, deployed: 101_000, gzip: Number.NaN }) };
    after.size = { ...after.size, sparseBytes: 60_000 };
    expect(runSentence(result({}, [quantStage(32)], base, after))).toContain(': 85% smaller (sparse format), −0.50 points');
  });

  it('int8 alone: dense int8 bytes, no gzip basis', () => {
    // 1 - 101,000 / 400,000 = 74.75% -> 74.8%.
    const after = report({ format: 'int8', accuracy: 0.856, params: 100_000, nonZero: 100_000, deployed: 101_000 });
    const s = { prune: { method: 'none' as const }, quant: { granularity: 'per-tensor' as const, calibration: { method: 'percentile' as const, percentile: 99.9 } } };
    expect(runSentence(result(s, [quantStage(200)], base, after))).toBe('Quantized to int8 per tensor with 99.9th-percentile ranges from 200 calibration images: 74.8% smaller, +0.10 points of accuracy on 1,000 test images.');
  });

  it('global pruning with fine-tuning, 2:4, structured, float16 and the baseline', () => {
    const ft: StageRecord = { stage: 'finetune', settings: {}, elapsedMs: 1, detail: { steps: 1250 } };
    // gzip of the pruned float32 weights: 1 - 180,000 / 400,000 = 55%.
    const f32 = report({ format: 'float32', accuracy: 0.8, params: 100_000, nonZero: 40_000, deployed: 400_000, gzip: 180_000 });
    expect(runSentence(result({ prune: { method: 'global', sparsity: 0.6, spareFirstLast: true }, finetune: { epochs: 1 }, quant: { mode: 'none' } }, [ft], base, f32))).toMatch(
      /^Pruned 60% of all conv and dense weights by magnitude, ranked across layers \(first and last layer kept\), fine-tuned for 1,250 steps: 55% smaller \(gzip\), −5\.50 points/,
    );
    expect(
      runSentence(result({ prune: { method: 'n:m', n: 2, m: 4, layerKinds: ['conv'] }, quant: { mode: 'float16' } }, [], base, report({ format: 'float16', accuracy: 0.855, params: 100_000, nonZero: 100_000, deployed: 200_000 }))),
    ).toBe('Kept the 2 largest of every 4 weights along the input channels of the conv layers (50% pruned), stored the weights as float16: 50% smaller, ±0.00 points of accuracy on 1,000 test images.');
    expect(
      runSentence(result({ prune: { method: 'structured', sparsity: 0.25, criterion: 'l2' }, quant: { mode: 'weight-int8' } }, [], base, report({ format: 'weight-int8', accuracy: 0.8, params: 60_000, nonZero: 60_000, deployed: 60_400 }))),
    ).toMatch(/^Removed 25% of the filters of each prunable layer by L2 norm, stored the weights as int8 per channel \(activations stay float\): 84\.9% smaller, −5\.50 points/);
    expect(runSentence(result({ prune: { method: 'none' }, quant: { mode: 'none' } }, [], base, base))).toBe('Measured the model as it is (float32, nothing pruned): same size, ±0.00 points of accuracy on 1,000 test images.');
  });
});
