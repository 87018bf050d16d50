import { describe, expect, it } from 'vitest';
import { estimateJob, formatDuration, LATENCY_CAP_S } from '../../src/engine/jobs/estimate';

describe('job-time estimate', () => {
  // VGG16-like: 313.5 MMACs, 15M params, on a device measured at 1 GMAC/s.
  const vgg = { macs: 313_463_808, params: 14_995_146, macPerSecond: 1e9 };

  it('evaluation alone: images × MACs / speed', () => {
    const e = estimateJob({ ...vgg, evalImages: 1000 });
    // 1000 × 0.313463808 s = 313.463808 s
    expect(e.totalSeconds).toBeCloseTo(313.463808, 6);
    expect(e.needsConfirmation).toBe(false);
  });

  it('prune + INT8 + export, step by step', () => {
    const e = estimateJob({ ...vgg, evalImages: 1000, calibrationImages: 200, prune: true, quantize: true, export: true, latencyRuns: 100 });
    const s = Object.fromEntries(e.steps.map((x) => [x.step, x.seconds]));
    expect(s.evaluate).toBeCloseTo(313.463808, 6);
    expect(s.prune).toBeCloseTo(1.4995146, 6); // 14 995 146 × 1e-7
    expect(s.calibrate).toBeCloseTo(62.6927616, 6); // 200 × 0.313463808
    expect(s['quantized-evaluate']).toBeCloseTo(470.195712, 6); // 1000 × 0.313463808 × 1.5
    expect(s.export).toBeCloseTo(1.4995146, 6);
    expect(s['real-int8-agreement']).toBeCloseTo(626.927616, 6); // × 2
    expect(s.latency).toBe(LATENCY_CAP_S); // 100 × 0.313 s = 31.3 s, capped at 15 s
    // 313.463808 + 1.4995146 + 62.6927616 + 470.195712 + 1.4995146 + 626.927616 + 15 = 1491.2789268
    expect(e.totalSeconds).toBeCloseTo(1491.2789268, 6);
    expect(e.needsConfirmation).toBe(true);
  });

  it('a fine-tune costs three forward passes per image', () => {
    const e = estimateJob({ macs: 1e6, params: 0, macPerSecond: 1e9, evalImages: 0, fineTuneImages: 50_000 });
    expect(e.steps.find((x) => x.step === 'fine-tune')?.seconds).toBeCloseTo(150, 9); // 50 000 × 1e-3 × 3
  });

  it('formats durations in words', () => {
    expect(formatDuration(42)).toBe('about 42 s');
    expect(formatDuration(1491)).toBe('about 25 min');
    expect(formatDuration(9000)).toBe('about 2.5 h');
  });
});
