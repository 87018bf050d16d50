import { describe, expect, it } from 'vitest';
import { asymmetricParams, dequantize, perChannelSymmetric, quantize, quantizeBias, quantizeTensor, roundHalfAwayFromZero, symmetricParams } from '../../src/engine/quantize/affine';
import { calibrate, minMaxRange, mseRange, percentileRange, quantizationMse } from '../../src/engine/quantize/calibrate';
import { mulberry32 } from '../../src/engine/train/data-order';

describe('int8 parameters (TFLite spec)', () => {
  it('symmetric weights: scale = max|w| / 127, values in [-127, 127]', () => {
    const p = symmetricParams(2.54);
    expect(p.scale).toBeCloseTo(0.02, 12);
    expect(p.zeroPoint).toBe(0);
    expect([2.54, -2.54, 0.01, 0.03, -0.05, 1.0].map((x) => quantize(x, p))).toEqual([127, -127, 1, 2, -3, 50]);
  });

  it('asymmetric activations: this range gives this scale and zero point', () => {
    // [-1, 3]: scale 4/255, zero point round(-128 + 1 / (4/255)) = round(-64.25) = -64.
    const p = asymmetricParams(-1, 3);
    expect(p.scale).toBeCloseTo(4 / 255, 12);
    expect(p.zeroPoint).toBe(-64);
    expect([-1, 0, 3, 1.5, 10, -10].map((x) => quantize(x, p))).toEqual([-128, -64, 127, 32, 127, -128]);
    expect(dequantize(-64, p)).toBe(0);
  });

  it('a range that excludes 0 is widened to include it (zero padding stays exact)', () => {
    const p = asymmetricParams(0.5, 6);
    expect(p.zeroPoint).toBe(-128);
    expect(p.scale).toBeCloseTo(6 / 255, 12);
  });

  it('rounds half away from zero', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5].map(roundHalfAwayFromZero)).toEqual([1, 2, 3, -1, -2, -3]);
  });

  it('per-channel scales follow each output channel (last axis)', () => {
    // [in=2, out=3]
    const w = [0.5, -2, 0.11, -1.27, 1, 0.2];
    const params = perChannelSymmetric(w, 3);
    expect(params.map((p) => p.scale)).toEqual([1.27 / 127, 2 / 127, 0.2 / 127]);
    // 0.5 / 0.01 = 50; 1 / (2/127) = 63.5 -> 64; 0.11 / (0.2/127) = 69.85 -> 70.
    expect(Array.from(quantizeTensor(w, params))).toEqual([50, -127, 70, -127, 64, 127]);
  });

  it('bias is int32 with scale = input scale x weight scale', () => {
    expect(Array.from(quantizeBias([0.5, -0.25], 0.1, [0.01, 0.05]))).toEqual([500, -50]);
  });
});

describe('calibrators on known distributions', () => {
  const rand = mulberry32(3);
  // 10,000 uniform values in [-1, 1] plus two outliers at +-50.
  const values = Array.from({ length: 10000 }, () => rand() * 2 - 1).concat([50, -50]);

  it('min-max keeps the outliers', () => {
    expect(minMaxRange(values)).toEqual({ min: -50, max: 50 });
  });

  it('percentile clips the tails to the bulk of the distribution', () => {
    const r = percentileRange(values, 99.9);
    expect(r.max).toBeGreaterThan(0.99);
    expect(r.max).toBeLessThanOrEqual(1);
    expect(r.min).toBeLessThan(-0.99);
  });

  it('MSE-optimal clipping trades rare outliers for a finer step only when that lowers the error', () => {
    // 400,000 uniform values in [-1, 1] and two outliers at +-4. Min-max steps 8/255; clipping to +-1
    // saves 400,000 * ((8/255)^2 - (2/255)^2) / 12 ~ 31 in summed squared error and costs 2 * 3^2 = 18;
    // the optimum lies between (about +-2, where the finer step and the clipped residuals balance).
    const core = Array.from({ length: 400000 }, () => rand() * 2 - 1);
    const data = core.concat([4, -4]);
    const full = minMaxRange(data);
    const best = mseRange(data);
    expect(best.max).toBeLessThan(full.max * 0.75);
    expect(best.max).toBeGreaterThan(1);
    expect(quantizationMse(data, best)).toBeLessThan(quantizationMse(data, full) * 0.9);
    // With two outliers at +-50 among 10,000 values, clipping them costs far more than it saves.
    expect(calibrate(values, 'mse').max).toBeGreaterThan(45);
  });
});
