/** The automatic search's panel state (state/auto-slice.ts): the typed budget, and the candidates as the chart draws them. */
import { describe, expect, it } from 'vitest';
import { autoChartData, DEFAULT_AUTO_TEXT, panelBudget } from '../../src/state/auto-slice';
import type { AutoCandidate } from '../../src/engine/recon/budget-search';

const candidate = (sparsity: number, heldOutAccuracy: number, gzipBytes: number, meets: boolean): AutoCandidate => ({
  sparsity,
  layerSparsities: {},
  heldOutAccuracy,
  dropPts: (0.9 - heldOutAccuracy) * 100,
  agreement: 1,
  gzipBytes,
  sparseBytes: gzipBytes,
  meets,
  elapsedMs: 0,
});

describe('auto-search panel state', () => {
  it('reads the typed budget per kind, or says why not', () => {
    expect(panelBudget({ kind: 'max-drop', text: DEFAULT_AUTO_TEXT })).toEqual({ kind: 'max-drop', points: 1 });
    expect(panelBudget({ kind: 'max-size', text: DEFAULT_AUTO_TEXT })).toEqual({ kind: 'max-size', bytes: 102_400 });
    expect(panelBudget({ kind: 'max-size', text: { ...DEFAULT_AUTO_TEXT, 'max-size': 'big' } })).toMatch(/^Size at most .*: must be a positive size such as 100KB/);
  });

  it('puts the pick apart from the candidates within and over the budget, and draws the budget line', () => {
    const tried = [candidate(0, 0.9, 100_000, true), candidate(0.95, 0.1, 10_000, false), candidate(0.5, 0.895, 50_000, true)];
    const d = autoChartData(tried, { pick: tried[2], baselineHeldOutAccuracy: 0.9 }, { kind: 'max-drop', points: 1 });
    expect(d.pick).toEqual([{ kB: 50, accuracy: 89.5, sparsityPct: 50 }]);
    expect(d.meets).toEqual([{ kB: 100, accuracy: 90, sparsityPct: 0 }]);
    expect(d.over).toEqual([{ kB: 10, accuracy: 10, sparsityPct: 95 }]);
    expect(d.minAccuracy).toBeCloseTo(89, 9);
    expect(d.maxKB).toBeUndefined();
    expect(autoChartData(tried, { pick: tried[2], baselineHeldOutAccuracy: 0.9 }, { kind: 'max-size', bytes: 60_000 }).maxKB).toBe(60);
    // While the search runs: every candidate so far, no pick, no loss line yet.
    const live = autoChartData(tried.slice(0, 2), undefined, { kind: 'max-drop', points: 1 });
    expect([live.meets.length, live.over.length, live.pick.length, live.minAccuracy]).toEqual([1, 1, 0, undefined]);
  });
});
