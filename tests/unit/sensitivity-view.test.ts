/**
 * The studio's sensitivity view and report section, as pure transformations with hand-computed
 * figures: the report's table rows (accuracy drop in points), the run's allocation read from its
 * prune stage, the chart's series (the int8 column, the 0% start, the divergence floor) and the
 * run's chosen sparsity read off each curve by linear interpolation; the settings' checks.
 */
import { describe, expect, it } from 'vitest';
import { allocationOf, sensitivityRows, sensitivitySection } from '../../src/engine/export/sensitivity-section';
import { readReport, reportJson } from '../../src/engine/export/report';
import { reportFor } from '../../src/engine/export/run-files';
import type { CompressJobResult } from '../../src/engine/jobs/results';
import type { CompressResult } from '../../src/engine/jobs/compress';
import type { SensitivityResult } from '../../src/engine/jobs/sensitivity';
import { ALLOCATION_CALIBRATION, ALLOCATION_GRID, ALLOCATION_HELD_OUT, SENSITIVITY_DEFAULTS, validateSensitivitySettings } from '../../src/engine/jobs/sensitivity-settings';
import type { SensitivityReport } from '../../src/engine/recon/sensitivity';
import { DIVERGENCE_FLOOR, INT8_X, interpolate, runAllocation, sensitivitySeries } from '../../src/state/sensitivity-view';
import { sensitivitySettings } from '../../src/state/sensitivity-slice';

const report: SensitivityReport = {
  heldOutImages: 64,
  calibrationImages: 32,
  baselineAccuracy: 0.98,
  layers: [
    {
      layer: 'c1',
      op: 'conv2d',
      weights: 288,
      // Out of order on purpose: rows and series sort by sparsity.
      prune: [
        { sparsity: 0.9, accuracy: 0.5, divergence: 2, outputError: 0.4 },
        { sparsity: 0.5, accuracy: 0.97, divergence: 0.01, outputError: 0.05 },
      ],
      int8: { accuracy: 0.98, divergence: 1e-6, outputError: 1e-5 },
    },
    { layer: 'd', op: 'dense', weights: 30, prune: [{ sparsity: 0.5, accuracy: 0.96, divergence: 0.02, outputError: 0.1 }], int8: { accuracy: 0.96875, divergence: 0, outputError: 2e-5 } },
  ],
};
const analysis: SensitivityResult = { modelId: 'm', dataset: 'mnist', backend: 'cpu', settings: { calibrationImages: 32, heldOutImages: 64, sparsities: [0.5, 0.9] }, trainImages: 60000, report, reused: false, elapsedMs: 1 };
const stages = [
  { stage: 'prune' as const, detail: { allocation: 'sensitivity', layerSparsities: { c1: 0.7, d: 0.95 }, firstPassSparsities: { c1: 0.8 } } },
  { stage: 'quantize' as const, detail: {} },
];

describe('the report’s sensitivity section', () => {
  it('has one row per layer and trial, pruned in sparsity order then int8, with the accuracy drop in points', () => {
    const rows = sensitivityRows(report);
    expect(rows.map((r) => [r.layer, r.trial, r.sparsity, r.accuracyDropPts])).toEqual([
      ['c1', 'pruned', 0.5, 1],
      ['c1', 'pruned', 0.9, 48],
      ['c1', 'int8', 0, 0],
      ['d', 'pruned', 0.5, 2],
      ['d', 'int8', 0, 1.125],
    ]);
    expect(rows[1]).toEqual({ layer: 'c1', op: 'conv2d', weights: 288, trial: 'pruned', sparsity: 0.9, accuracy: 0.5, accuracyDropPts: 48, divergence: 2, outputError: 0.4 });
  });

  it('reads the allocation from the prune stage, and nothing from a uniform one', () => {
    expect(allocationOf(stages)).toEqual([
      { layer: 'c1', sparsity: 0.7, firstPassSparsity: 0.8 },
      { layer: 'd', sparsity: 0.95 },
    ]);
    expect(allocationOf([{ stage: 'prune', detail: { allocation: 'uniform' } }])).toBeUndefined();
    expect(allocationOf([])).toBeUndefined();
  });

  it('carries the analysis only when it is of the run’s model, and is absent with neither part', () => {
    expect(sensitivitySection({ modelId: 'm', stages }, analysis)?.analysis?.rows).toHaveLength(5);
    expect(sensitivitySection({ modelId: 'other', stages }, analysis)).toEqual({ allocation: allocationOf(stages) });
    expect(sensitivitySection({ modelId: 'other', stages: [] }, analysis)).toBeUndefined();
    const s = sensitivitySection({ modelId: 'm', stages: [] }, analysis)!;
    expect(s.allocation).toBeUndefined();
    expect(s.analysis).toMatchObject({ settings: analysis.settings, trainImages: 60000, calibrationImages: 32, heldOutImages: 64, baselineAccuracy: 0.98 });
    // In the envelope, read back by the version-1 reader.
    const env = readReport(reportJson({ compress: { modelId: 'm', stages } as unknown as CompressResult, sensitivity: s, createdAt: 't' }));
    expect((env.sensitivity as typeof s).analysis!.rows[4]).toMatchObject({ layer: 'd', trial: 'int8', accuracyDropPts: 1.125 });
  });

  it('is in the run’s report file as the page and the CLI assemble it (run-files.ts)', () => {
    const run = { type: 'compress', modelId: 'm', settings: {}, stages } as unknown as CompressJobResult;
    const section = (text: string) => readReport(text).sensitivity as ReturnType<typeof sensitivitySection>;
    expect(section(reportFor(run, [], analysis))).toEqual(JSON.parse(JSON.stringify(sensitivitySection(run, analysis))));
    expect(section(reportFor(run, []))).toEqual({ allocation: allocationOf(stages) });
    expect(section(reportFor({ ...run, stages: [] }, [], { ...analysis, modelId: 'other' }))).toBeUndefined();
  });
});

describe('the sensitivity chart’s series', () => {
  it('interpolates linearly inside the points and gives nothing outside them', () => {
    const pts = [
      { x: 0, y: 98 },
      { x: 50, y: 97 },
      { x: 90, y: 50 },
    ];
    expect(interpolate(pts, 70)).toBeCloseTo(73.5, 12);
    expect(interpolate(pts, 30)).toBeCloseTo(97.4, 12);
    expect(interpolate(pts, 90)).toBe(50);
    expect(interpolate(pts, 95)).toBeUndefined();
    expect(interpolate(pts, -1)).toBeUndefined();
  });

  it('plots accuracy from the unchanged model at 0%, int8 at its own column, and the run’s choice on the curve', () => {
    const [c1, d] = sensitivitySeries(report, 'accuracy', allocationOf(stages));
    expect(c1.points).toEqual([
      { x: 0, y: 98 },
      { x: 50, y: 97 },
      { x: 90, y: 50 },
    ]);
    expect(c1.int8).toEqual({ x: INT8_X, y: 98 });
    expect(c1.chosen?.x).toBeCloseTo(70, 12);
    expect(c1.chosen?.y).toBeCloseTo(73.5, 12);
    // 95% is beyond d's measured 50%: marked in the table, not drawn.
    expect(d.chosen).toEqual({ x: 95 });
    expect(sensitivitySeries(report, 'accuracy')[0].chosen).toBeUndefined();
  });

  it('plots the divergence from the first measured sparsity, held at the floor', () => {
    const [c1, d] = sensitivitySeries(report, 'divergence', [
      { layer: 'c1', sparsity: 0.7 },
      { layer: 'd', sparsity: 0 },
    ]);
    expect(c1.points).toEqual([
      { x: 50, y: 0.01 },
      { x: 90, y: 2 },
    ]);
    expect(c1.chosen?.y).toBeCloseTo(1.005, 12);
    expect(c1.int8.y).toBe(1e-6);
    expect(d.int8.y).toBe(DIVERGENCE_FLOOR);
    expect(d.chosen).toEqual({ x: 0, y: DIVERGENCE_FLOOR });
  });

  it('marks the run’s choice only for a run of the same model', () => {
    expect(runAllocation({ modelId: 'm', stages }, 'm')).toHaveLength(2);
    expect(runAllocation({ modelId: 'm', stages }, 'other')).toBeUndefined();
    expect(runAllocation(undefined, 'm')).toBeUndefined();
  });
});

describe('sensitivity settings', () => {
  it('default to what sensitivity allocation measures, so the cache serves both', () => {
    expect(SENSITIVITY_DEFAULTS).toEqual({ calibrationImages: ALLOCATION_CALIBRATION, heldOutImages: ALLOCATION_HELD_OUT, sparsities: [...ALLOCATION_GRID] });
    expect(ALLOCATION_CALIBRATION).toBe(256);
  });

  it('are checked, sorted and named when wrong', () => {
    expect(validateSensitivitySettings({ calibrationImages: 8, heldOutImages: 16, sparsities: [0.9, 0.5, 0.9] }).sparsities).toEqual([0.5, 0.9]);
    expect(() => validateSensitivitySettings({ calibrationImages: 7, heldOutImages: 16, sparsities: [0.5] })).toThrow('sensitivity.calibrationImages must be a whole number from 8 to 2048, got 7.');
    expect(() => validateSensitivitySettings({ calibrationImages: 8, heldOutImages: 16, sparsities: [] })).toThrow('sensitivity.sparsities must list 1 to 8');
    expect(sensitivitySettings({ calibrationImages: 32, heldOutImages: 64, sparsities: '90%, 0.5' })).toEqual({ calibrationImages: 32, heldOutImages: 64, sparsities: [0.5, 0.9] });
    expect(sensitivitySettings({ calibrationImages: 32, heldOutImages: 64, sparsities: '0, 0.5' })).toBe('sensitivity.sparsities must be fractions between 0 and 1 (exclusive), got 0.');
    expect(sensitivitySettings({ calibrationImages: 32, heldOutImages: 64, sparsities: 'x' })).toContain('"x" is not a sparsity');
  });
});
