/**
 * The automatic search's panel: the budget as the user types it (one text per budget kind, so
 * switching kinds keeps each), what the search is doing, and what it found. state/jobs.ts runs
 * it: the search job on held-back training images, then the pick compressed as an ordinary run.
 */
import type { StateCreator } from 'zustand';
import { AUTO_BUDGETS, type AutoBudget, type AutoBudgetKind, parseBudget } from '../engine/choices/auto-budget';
import { StudioError } from '../engine/errors';
import type { AutoSearchJobResult } from '../engine/jobs/results';
import type { AutoCandidate } from '../engine/recon/budget-search';
import type { StudioState } from './store';

export interface AutoSearchState {
  kind: AutoBudgetKind;
  text: Record<AutoBudgetKind, string>;
  status: 'idle' | 'searching' | 'compressing' | 'done' | 'cancelled' | 'failed';
  result?: AutoSearchJobResult;
  /** Candidates measured so far, while the search runs (the result has them all). */
  tried: AutoCandidate[];
  /** The budget as the search took it, for the chart's budget line. */
  budget?: AutoBudget;
  /** The pick compressed and measured on the test records: its run in the history. */
  pickRun?: { runId: string; testBefore: number; testAfter: number };
  message?: string;
}

export interface AutoSearchSlice {
  autoSearch: AutoSearchState;
  setAutoKind: (kind: AutoBudgetKind) => void;
  setAutoText: (text: string) => void;
  autoStarted: (budget: AutoBudget) => void;
  autoCandidate: (c: AutoCandidate) => void;
  autoFound: (result: AutoSearchJobResult) => void;
  autoEnded: (status: 'done' | 'cancelled' | 'failed', message?: string, pickRun?: AutoSearchState['pickRun']) => void;
}

export const DEFAULT_AUTO_TEXT = Object.fromEntries(AUTO_BUDGETS.options.map((b) => [b.id, b.defaultText])) as Record<AutoBudgetKind, string>;

/** The budget in the panel, or the sentence that says why it cannot be read. */
export function panelBudget(s: Pick<AutoSearchState, 'kind' | 'text'>): AutoBudget | string {
  try {
    return parseBudget(s.kind, s.text[s.kind], AUTO_BUDGETS.get(s.kind).label);
  } catch (e) {
    if (e instanceof StudioError) return e.message;
    throw e;
  }
}

export const createAutoSearchSlice: StateCreator<StudioState, [], [], AutoSearchSlice> = (set) => ({
  autoSearch: { kind: AUTO_BUDGETS.defaultId, text: DEFAULT_AUTO_TEXT, status: 'idle', tried: [] },
  setAutoKind: (kind) => set((s) => ({ autoSearch: { ...s.autoSearch, kind } })),
  setAutoText: (text) => set((s) => ({ autoSearch: { ...s.autoSearch, text: { ...s.autoSearch.text, [s.autoSearch.kind]: text } } })),
  autoStarted: (budget) => set((s) => ({ autoSearch: { kind: s.autoSearch.kind, text: s.autoSearch.text, status: 'searching', budget, tried: [] } })),
  autoCandidate: (c) => set((s) => ({ autoSearch: { ...s.autoSearch, tried: [...s.autoSearch.tried, c] } })),
  autoFound: (result) => set((s) => ({ autoSearch: { ...s.autoSearch, status: 'compressing', result, tried: result.candidates } })),
  autoEnded: (status, message, pickRun) => set((s) => ({ autoSearch: { ...s.autoSearch, status, message, pickRun } })),
});

export interface AutoChartPoint {
  /** gzip'd size in kB (1000 bytes, as the studio's other charts). */
  kB: number;
  /** Held-back accuracy, percent. */
  accuracy: number;
  sparsityPct: number;
}

/**
 * The candidates as the chart draws them: within the budget, over it, the pick apart; and the
 * budget's lines. While the search runs there is no pick yet, and the unchanged model's held-back
 * accuracy (which places the loss budget's line) comes with the result.
 */
export function autoChartData(tried: readonly AutoCandidate[], r: Pick<AutoSearchJobResult, 'pick' | 'baselineHeldOutAccuracy'> | undefined, budget?: AutoBudget) {
  const point = (c: AutoCandidate): AutoChartPoint => ({ kB: c.gzipBytes / 1000, accuracy: c.heldOutAccuracy * 100, sparsityPct: c.sparsity * 100 });
  const rest = tried.filter((c) => c !== r?.pick);
  const baseline = r ? r.baselineHeldOutAccuracy * 100 : undefined;
  return {
    meets: rest.filter((c) => c.meets).map(point),
    over: rest.filter((c) => !c.meets).map(point),
    pick: r ? [point(r.pick)] : [],
    baselineAccuracy: baseline,
    /** Accuracy floor (percent) for a loss budget, size ceiling (kB) for a size budget. */
    minAccuracy: budget?.kind === 'max-drop' && baseline !== undefined ? baseline - budget.points : undefined,
    maxKB: budget?.kind === 'max-size' ? budget.bytes / 1000 : undefined,
  };
}
