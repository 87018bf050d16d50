import { describe, expect, it } from 'vitest';
import { estimateJob, formatDuration, LATENCY_CAP_S, reconstructionSeconds } from '../../src/engine/jobs/estimate';

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

describe('job-time estimate of pruning with reconstruction', () => {
  const layer = { groups: 1, rows: 2, cols: 3, positions: 1 };
  it('uniform, one pass: the captures (one pass per image, carried from cut to cut) and one factorization and solve, by hand', () => {
    // captures 1 pass x 4 images = 4 passes of 0.5 s; JS: factor 2·3³ = 54, solve 2·3²/2 = 9 at 2.5e9/s; all x 1.3 (RECON_OVERHEAD).
    const s = reconstructionSeconds({ layers: [layer], calibrationImages: 4, heldOutImages: 0, trialsPerLayer: 0, prunePasses: 1, denseTargets: false }, 0.5, 0);
    expect(s).toBeCloseTo(1.3 * (2 + 63 / 2.5e9), 12);
  });
  it('two allocation passes with dense targets: four capture passes (doubled), the trials from the cut, the fits, by hand', () => {
    // captures 4 x 4 x 2 = 32, trials 13 x 10 x 0.5 = 65 (1 s each);
    // JS: 4 x (factor 54 + fit 27 + 2·2·9) + (13 + 2) x 9 = 603.
    const s = reconstructionSeconds({ layers: [layer], calibrationImages: 4, heldOutImages: 10, trialsPerLayer: 13, prunePasses: 2, denseTargets: true }, 1, 0);
    expect(s).toBeCloseTo(1.3 * (97 + 603 / 2.5e9), 9);
  });
  it('the exact refit adds its worst case (half the weights kept) per pruning pass, bounded per layer, by hand', () => {
    const r = { layers: [layer], calibrationImages: 0, heldOutImages: 0, trialsPerLayer: 0, prunePasses: 2, denseTargets: false };
    // Per pass: 2 rows x 1.5³/3 = 2.25, + 2·3²/2 = 9, + 3³/3 = 9: 20.25; two passes 40.5.
    expect(reconstructionSeconds({ ...r, refit: true }, 0, 0) - reconstructionSeconds(r, 0, 0)).toBeCloseTo((1.3 * 40.5) / 2.5e9, 15);
    // A 1,024 x 1,024 layer would cost 1024·512³/3 + ... ≈ 4.6e10: one pass counts 1.5e9 (REFIT_MAX_MACS) only.
    const big = { ...r, layers: [{ groups: 1, rows: 1024, cols: 1024, positions: 1 }], prunePasses: 1 };
    expect(reconstructionSeconds({ ...big, refit: true }, 0, 0) - reconstructionSeconds(big, 0, 0)).toBeCloseTo((1.3 * 1.5e9) / 2.5e9, 9);
  });
  it('accumulating H costs images x positions x cols² backend multiply-adds per capture pass (twice with dense targets)', () => {
    const r = { layers: [{ ...layer, positions: 5 }], calibrationImages: 4, heldOutImages: 0, trialsPerLayer: 0, prunePasses: 1, denseTargets: false };
    // 4 images x 5 positions x 3² = 180 MACs at 1 ms each.
    expect(reconstructionSeconds(r, 0, 1e-3) - reconstructionSeconds(r, 0, 0)).toBeCloseTo(1.3 * 0.18, 9);
    expect(reconstructionSeconds({ ...r, denseTargets: true }, 0, 1e-3) - reconstructionSeconds({ ...r, denseTargets: true }, 0, 0)).toBeCloseTo(1.3 * 0.36, 9);
  });
  it('a layer wider than 2,048 inputs is solved in blocks (3 blocks of 2,048 for 4,608)', () => {
    const wide = reconstructionSeconds({ layers: [{ groups: 1, rows: 1, cols: 4608, positions: 1 }], calibrationImages: 0, heldOutImages: 0, trialsPerLayer: 0, prunePasses: 1, denseTargets: false }, 0, 0);
    expect(wide).toBeCloseTo((1.3 * (3 * 2 * 2048 ** 3 + (3 * 2048 ** 2) / 2)) / 2.5e9, 6);
  });
  it('replaces the per-weight pruning cost, so a VGG16-sized reconstruction asks first', () => {
    const vggLike = Array.from({ length: 13 }, () => ({ groups: 1, rows: 512, cols: 4608, positions: 4 }));
    const e = estimateJob({
      macs: 3e8,
      params: 1.5e7,
      macPerSecond: 5e9,
      evalImages: 1000,
      prune: true,
      reconstruction: { layers: vggLike, calibrationImages: 256, heldOutImages: 256, trialsPerLayer: 13, prunePasses: 2, denseTargets: true },
    });
    expect(e.steps.find((x) => x.step === 'prune')!.seconds).toBeGreaterThan(600);
    expect(e.needsConfirmation).toBe(true);
  });
});
