/**
 * A sparsity sweep: one list of sparsities run through the compression job one after another
 * with otherwise the same settings (state/jobs.ts runs it), each point added as it finishes.
 * Sparsity is a fraction 0-1 everywhere; the text box takes fractions or percentages.
 */
import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

export interface SweepPoint {
  sparsity: number;
  runId: string;
  /** After compression, on the run's test records (fractions, bytes). */
  accuracy: number;
  macroRecall: number;
  deployedBytes: number;
  gzipBytes: number;
  sparseBytes: number;
}

export interface SweepState {
  text: string;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  /** Points finished so far and the number asked for. */
  points: SweepPoint[];
  total: number;
  modelId?: string;
  /** The recipe apart from sparsity, e.g. "per-layer + int8". */
  recipe?: string;
  /** Baseline accuracy and deployed size, the same for every point. */
  baseline?: { accuracy: number; deployedBytes: number };
  message?: string;
}

export interface SweepSlice {
  sweep: SweepState;
  setSweepText: (text: string) => void;
  sweepStarted: (total: number, modelId: string, recipe: string) => void;
  sweepPoint: (p: SweepPoint, baseline: { accuracy: number; deployedBytes: number }) => void;
  sweepEnded: (status: 'done' | 'cancelled' | 'failed', message?: string) => void;
}

export const DEFAULT_SWEEP = '0.3, 0.5, 0.7, 0.9';
export const MAX_SWEEP_POINTS = 12;

/** The sparsities in a sweep's text box ("0.3, 0.5" or "30%, 50%"), sorted, or the reason it cannot be read. */
export function parseSweep(text: string): number[] | string {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0) return 'Type at least one sparsity, e.g. 0.3, 0.5, 0.7, 0.9.';
  if (parts.length > MAX_SWEEP_POINTS) return `At most ${MAX_SWEEP_POINTS} sparsities per sweep; found ${parts.length}.`;
  const values: number[] = [];
  for (const p of parts) {
    const pct = p.endsWith('%');
    const v = Number(pct ? p.slice(0, -1) : p) / (pct ? 100 : 1);
    if (!Number.isFinite(v) || v < 0 || v >= 1) return `"${p.slice(0, 20)}" is not a sparsity: use fractions from 0 to below 1 (0.5) or percentages (50%).`;
    values.push(Number(v.toFixed(4)));
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

export const createSweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set) => ({
  sweep: { text: DEFAULT_SWEEP, status: 'idle', points: [], total: 0 },
  setSweepText: (text) => set((s) => ({ sweep: { ...s.sweep, text, message: s.sweep.status === 'running' ? s.sweep.message : undefined } })),
  sweepStarted: (total, modelId, recipe) => set((s) => ({ sweep: { text: s.sweep.text, status: 'running', points: [], total, modelId, recipe } })),
  sweepPoint: (p, baseline) => set((s) => ({ sweep: { ...s.sweep, points: [...s.sweep.points, p], baseline } })),
  sweepEnded: (status, message) => set((s) => ({ sweep: { ...s.sweep, status, message } })),
});
