/**
 * The "Reproduce the study" preset's pure part: the configurations it queues, and the "published vs
 * yours" rows computed from finished results and the study's figures (numbers checked by hand).
 */
import { describe, expect, it } from 'vitest';
import { PUBLISHED_FIGURES } from '../../src/engine/study/published';
import { STUDY_PROFILES, studyConfigs, studyRunProblem, type StudyModel } from '../../src/engine/study/preset';
import { studyCaveats, studyRows, type StudyFigures } from '../../src/engine/study/rows';
import { sizeReduction } from '../../src/engine/study/size-reduction';

const MNIST: StudyModel = { id: 'custom-cnn-mnist', family: 'custom-cnn', dataset: 'mnist', testData: { exact: true } };
const MOBILENET: StudyModel = { id: 'mobilenet-v1-0.5-cifar10', family: 'mobilenet-v1', alpha: 0.5, dataset: 'cifar10', testData: { exact: true } };

type Report = StudyFigures['before'];
/** A model report with only what the rows read filled in (sizes in bytes, accuracy a fraction). */
function report(p: { format: Report['format']; accuracy: number; params: number; nonZero: number; float32: number; deployed: number; gzipInt8?: number; gzipFloat32?: number }): Report {
  return {
    format: p.format,
    params: p.params,
    nonZeroParams: p.nonZero,
    metrics: { accuracy: p.accuracy } as Report['metrics'],
    // gzipBytes is the engine's gzip of the model's own format: the int8 encoding for int8, float32 otherwise.
    size: { float32Bytes: p.float32, deployedBytes: p.deployed, gzipInt8Bytes: p.gzipInt8 ?? 0, gzipFloat32Bytes: p.gzipFloat32 ?? 0, gzipBytes: (p.format === 'float32' ? p.gzipFloat32 : p.gzipInt8) ?? 0 } as Report['size'],
  } as Report;
}

describe('study preset: configurations', () => {
  it('queues the four methods per model, model by model, with the lecture profile on screen', () => {
    const run = STUDY_PROFILES.lecture.run;
    const c = studyConfigs([MNIST, MOBILENET], run);
    expect(c.map((x) => x.key)).toEqual([
      'custom-cnn-mnist/baseline',
      'custom-cnn-mnist/pruning',
      'custom-cnn-mnist/int8',
      'custom-cnn-mnist/pruning-int8',
      'mobilenet-v1-0.5-cifar10/baseline',
      'mobilenet-v1-0.5-cifar10/pruning',
      'mobilenet-v1-0.5-cifar10/int8',
      'mobilenet-v1-0.5-cifar10/pruning-int8',
    ]);
    expect(c[7].label).toBe('MobileNetV1 0.5 · CIFAR-10, prune 50% + INT8');
    expect(c[0].label).toBe('custom CNN · MNIST, baseline (float32)');

    const base = c[0].settings;
    expect(base.prune.method).toBe('none');
    expect(base.quant.mode).toBe('none');
    expect(base.finetune.epochs).toBe(0);
    expect(base.finetune.trainLimit).toBeUndefined();
    expect(base.evalLimit).toBe(500);

    const both = c[3].settings;
    expect(both.prune).toMatchObject({ method: 'global', sparsity: 0.5, spareFirstLast: true });
    // 10 steps of 64 images = 640 training images; calibration's 200 fit in them.
    expect(both.finetune).toMatchObject({ epochs: 1, batchSize: 64, maxSteps: 10, trainLimit: 640 });
    expect(both.quant).toMatchObject({ mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: 200 } });

    // INT8 alone reads only the calibration images from the training split.
    expect(c[2].settings.finetune).toMatchObject({ epochs: 0, trainLimit: 200 });
    expect(c[2].settings.prune.method).toBe('none');
    expect(STUDY_PROFILES.full.run.evalLimit).toBeUndefined();
  });

  it('names the field of run settings it cannot start with', () => {
    const run = STUDY_PROFILES.lecture.run;
    expect(studyRunProblem(run)).toBeUndefined();
    expect(studyRunProblem({ ...run, evalLimit: 0 })).toContain('Test images');
    expect(studyRunProblem({ ...run, steps: 2.5 })).toContain('Fine-tuning steps');
    expect(studyRunProblem({ ...run, sparsity: 1 })).toContain('Sparsity');
    expect(studyRunProblem({ ...run, evalLimit: undefined, steps: 0 })).toBeUndefined();
  });
});

describe('study preset: published vs yours', () => {
  const run = { ...STUDY_PROFILES.lecture.run, evalLimit: 500 };
  const configs = studyConfigs([MOBILENET], run);
  const before = report({ format: 'float32', accuracy: 0.836, params: 818250, nonZero: 818250, float32: 3_273_000, deployed: 3_273_000, gzipFloat32: 3_044_487 });
  const figures = (after: Report, key: string): StudyFigures => ({
    dataset: 'cifar10',
    backend: 'wasm',
    testRecords: { first: 0, count: 500 },
    caveats: ['Computed on CIFAR-10 test records 0-999 only: the 1,000 exact images of the shared copy, a subset of the 10,000-image test set.'],
    before,
    after,
    settings: configs.find((c) => c.key === key)!.settings,
  });
  // The bench's quick run of 2026-11-26 (bench/results): INT8 856,588 B dense; 80% + INT8 321,865 B gzip'd.
  const int8 = report({ format: 'int8', accuracy: 0.834, params: 818250, nonZero: 818250, float32: 3_273_000, deployed: 856_588, gzipInt8: 784_379 });
  const prunedInt8 = report({ format: 'int8', accuracy: 0.682, params: 818250, nonZero: 200_000, float32: 3_273_000, deployed: 856_588, gzipInt8: 321_865 });
  const results = {
    'mobilenet-v1-0.5-cifar10/int8': figures(int8, 'mobilenet-v1-0.5-cifar10/int8'),
    'mobilenet-v1-0.5-cifar10/pruning-int8': figures(prunedInt8, 'mobilenet-v1-0.5-cifar10/pruning-int8'),
  };
  const rows = studyRows(configs, results);

  it('uses dense bytes without zeros and gzip with them, against float32 bytes', () => {
    // 1 - 856588 / 3273000 = 0.738287...; 1 - 321865 / 3273000 = 0.901660...
    expect(sizeReduction(before, int8)).toEqual({ pct: expect.closeTo(73.8287, 3), basis: 'int8', bytes: 856_588, float32Bytes: 3_273_000 });
    expect(sizeReduction(before, prunedInt8)).toEqual({ pct: expect.closeTo(90.166, 3), basis: 'gzip', bytes: 321_865, float32Bytes: 3_273_000 });
    expect(sizeReduction(before, before).pct).toBe(0);
  });

  it('puts each measurement beside the study figure for its family and method, with provenance', () => {
    expect(rows.map((r) => r.key)).toEqual(configs.map((c) => c.key));
    const [baseline, pruning, i8, both] = rows;
    // Not run yet: no measurement; the study published no figure for these methods.
    expect(baseline.measured).toBeUndefined();
    expect(pruning.measured).toBeUndefined();
    expect(baseline.published).toBeUndefined();
    expect(i8.published).toBeUndefined();

    expect(i8.measured!.size.pct).toBeCloseTo(73.8287, 3);
    // (0.834 - 0.836) x 100 = -0.2 points
    expect(i8.measured!.accuracyChangePts).toBeCloseTo(-0.2, 10);
    expect(i8.measured!.records).toBe('CIFAR-10 test records 0-499 (500 of 10,000, exact images)');
    expect(i8.measured!.method).toBe('tfjs wasm; calibrated on 200 training images; int8 accuracy simulated');

    expect(both.published).toEqual({ sizeReductionPct: 77.01, accuracy: 'retained', source: 'the study: MobileNet on CIFAR-100; ours: MobileNetV1 0.5 on CIFAR-10' });
    expect(both.measured!.size.pct).toBeCloseTo(90.166, 3);
    // (0.682 - 0.836) x 100 = -15.4 points
    expect(both.measured!.accuracyChangePts).toBeCloseTo(-15.4, 10);
    expect(both.measured!.method).toBe('tfjs wasm; 10 fine-tuning steps of 64 images; calibrated on 200 training images; int8 accuracy simulated');
    expect(studyCaveats(rows)).toHaveLength(1);
  });

  it('takes the custom CNN figure for the custom CNN family, and the study figures from one table', () => {
    const r = studyRows(studyConfigs([MNIST], run), {});
    expect(r[3].published).toMatchObject({ sizeReductionPct: 94.38, source: 'the study: its own custom CNN on its own dataset; ours: custom CNN on MNIST' });
    expect(PUBLISHED_FIGURES.map((f) => f.sizeReductionPct)).toEqual([77.01, 94.38]);
  });

  it('says when the test records are not all exact images', () => {
    const notExact = studyConfigs([{ ...MOBILENET, testData: { exact: false } }], run);
    const r = studyRows(notExact, { [notExact[2].key]: { ...results['mobilenet-v1-0.5-cifar10/int8'], testRecords: { first: 0, count: 10000 } } });
    expect(r[2].measured!.records).toBe('CIFAR-10 test records 0-9999 (10,000 of 10,000, not all exact)');
  });
});
