/**
 * Min-max calibration takes each calibrated tensor's extremes over every value of every calibration
 * image, across batches: checked against a scan in JavaScript of the same tensors for all the
 * images at once (the reduction under test runs on the backend, batch by batch).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/engine/graph/execute';
import { prepareForInference } from '../../src/engine/graph/rewrite';
import { calibrateGraph, calibrationIndices } from '../../src/engine/quantize/calibrate-graph';
import { calibratedNodes } from '../../src/engine/quantize/quantize-graph';
import { toInputTensorAt } from '../../src/engine/preprocess';
import { convGapDense, syntheticImages } from './recon-fixtures';

describe('min-max calibration', () => {
  it('gives the exact extremes of every calibrated tensor over all images, whatever the batch', async () => {
    const g = prepareForInference(convGapDense('calibration'));
    const images = syntheticImages(23, [6, 6, 2]);
    const prep = { kind: 'standardize' as const, mean: [120, 100], std: [60, 70] };
    const names = calibratedNodes(g);
    const c = compileGraph(g);
    const x = toInputTensorAt(images, calibrationIndices(images.count, 17, 3), prep);
    const outs = c.capture(x, names);
    const expected: Record<string, { min: number; max: number }> = {};
    for (const n of names) {
      const v = (await outs[n].data()) as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      for (const a of v) {
        min = Math.min(min, a);
        max = Math.max(max, a);
      }
      expected[n] = { min, max };
    }
    tf.dispose([x, ...Object.values(outs)]);
    c.dispose();
    // The input has negative values and the dense layer's outputs both signs: neither end is 0.
    expect(expected.in.min).toBeLessThan(0);
    expect(expected.d.min).toBeLessThan(0);
    expect(expected.d.max).toBeGreaterThan(0);
    for (const batch of [5, 17, 50]) {
      const ranges = await calibrateGraph(g, images, prep, { method: 'minmax', samples: 17, seed: 3, batch });
      expect(ranges).toEqual(expected);
    }
  });
});
