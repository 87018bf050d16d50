/**
 * The automatic search's decisions, apart from any model: which total sparsities to try
 * (bisection on the budget's boundary), which candidate to pick, why, and what to say when no
 * candidate meets the budget. recon/auto-search.ts supplies the candidates; the tests drive this
 * module with synthetic ones.
 *
 * Bisection assumes the budget's figure moves one way with the sparsity t: the accuracy drop
 * rises, the size falls. Held-back accuracy is measured, so it is noisy and only roughly
 * monotone; the pick is therefore made over every candidate tried, not just the last bracket.
 */
import { AUTO_BUDGETS, type AutoBudget, describeBudget } from '../choices/auto-budget';
import { BOARDS } from '../choices/deploy';
import { StudioError } from '../errors';

export interface BoardFit {
  fits: boolean;
  /** The int8 .tflite's bytes (what flash must hold). */
  flashBytes: number;
  /** The tensor arena's estimated bytes (what RAM must hold). */
  arenaBytes: number;
  verdict: string;
}

export interface AutoCandidate {
  /** Fraction of all pruned layers' weights removed, 0-1 (the total the allocation spreads). */
  sparsity: number;
  /** Layer name -> sparsity, as the allocation spread it. */
  layerSparsities: Record<string, number>;
  /** Accuracy of the compressed (quantized) model on the held-back training images, 0-1. */
  heldOutAccuracy: number;
  /** The unchanged float model's held-back accuracy minus this one's, in points. */
  dropPts: number;
  /** Fraction of held-back images on which it predicts what the unchanged model predicts. */
  agreement: number;
  /** The compressed weights gzip'd in their own format (the report's size gzip). */
  gzipBytes: number;
  /** The same, bitmask-sparse. */
  sparseBytes: number;
  /** With a board budget: the int8 .tflite's fit. */
  fit?: BoardFit;
  meets: boolean;
  elapsedMs: number;
}

export type Measured = Omit<AutoCandidate, 'meets'>;

export function meetsBudget(b: AutoBudget, c: Measured): boolean {
  switch (b.kind) {
    case 'max-drop':
      // A margin for float rounding: a drop equal to the budget meets it.
      return c.dropPts <= b.points + 1e-9;
    case 'max-size':
      return c.gzipBytes <= b.bytes;
    case 'board':
      if (!c.fit) throw new StudioError('internal', 'A board budget needs each candidate’s fit.', {}, 'bug');
      return c.fit.fits;
  }
}

export interface BisectOptions {
  /** The largest total sparsity the allocation can reach. */
  maxSparsity: number;
  /** Stop when the bracket is this narrow (in sparsity). */
  tolerance: number;
  signal?: AbortSignal;
  /** Each candidate as soon as it is measured (for progress and a live chart). */
  onCandidate?: (c: AutoCandidate, index: number) => void;
}

/** The most candidates the bisection tries: both ends, then one per halving of the bracket down to `tolerance`. */
export function mostCandidates(o: Pick<BisectOptions, 'maxSparsity' | 'tolerance'>): number {
  return 2 + Math.max(0, Math.ceil(Math.log2(o.maxSparsity / o.tolerance)));
}

/**
 * Tries sparsities until the budget's boundary is bracketed within `tolerance`: first the end
 * where the budget is easiest (0 for a drop, the most for a size), which if it fails makes the
 * budget unreachable; then the other end, which if it passes ends the search; then halves.
 * Returns every candidate in the order tried.
 */
export async function bisectBudget(b: AutoBudget, trial: (sparsity: number) => Promise<Measured>, o: BisectOptions): Promise<AutoCandidate[]> {
  const below = AUTO_BUDGETS.get(b.kind).feasible === 'below';
  const tried: AutoCandidate[] = [];
  const run = async (t: number): Promise<boolean> => {
    o.signal?.throwIfAborted();
    const m = await trial(t);
    const c = { ...m, meets: meetsBudget(b, m) };
    tried.push(c);
    o.onCandidate?.(c, tried.length - 1);
    return c.meets;
  };
  const easy = below ? 0 : o.maxSparsity;
  const hard = below ? o.maxSparsity : 0;
  if (!(await run(easy))) return tried;
  if (await run(hard)) return tried;
  // `ok` meets the budget and `bad` does not; the boundary lies between them.
  let ok = easy;
  let bad = hard;
  while (Math.abs(ok - bad) > o.tolerance) {
    const mid = (ok + bad) / 2;
    if (await run(mid)) ok = mid;
    else bad = mid;
  }
  return tried;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const drop = (c: AutoCandidate) => `${c.dropPts <= 0 ? '+' : '−'}${Math.abs(c.dropPts).toFixed(2)} pt`;

/** "62.0% pruned, held-back 89.10% (−0.90 pt), 41.2 KB gzip'd" */
export function describeCandidate(c: AutoCandidate): string {
  return `${pct(c.sparsity)} pruned, held-back ${(c.heldOutAccuracy * 100).toFixed(2)}% (${drop(c)}), ${kb(c.gzipBytes)} gzip'd, ${kb(c.sparseBytes)} bitmask-sparse${c.fit ? `, flash ${kb(c.fit.flashBytes)} arena ${kb(c.fit.arenaBytes)}` : ''}`;
}

/** The best of the candidates that meet the budget, by the budget's objective; ties go to the smaller model. */
export function pickCandidate(b: AutoBudget, tried: readonly AutoCandidate[]): { pick: AutoCandidate; reason: string } {
  const ok = tried.filter((c) => c.meets);
  if (!ok.length) throw unreachable(b, tried);
  const smallest = AUTO_BUDGETS.get(b.kind).objective === 'smallest';
  const better = (x: AutoCandidate, y: AutoCandidate) =>
    smallest ? x.gzipBytes < y.gzipBytes || (x.gzipBytes === y.gzipBytes && x.heldOutAccuracy > y.heldOutAccuracy) : x.heldOutAccuracy > y.heldOutAccuracy || (x.heldOutAccuracy === y.heldOutAccuracy && x.gzipBytes < y.gzipBytes);
  const pick = ok.reduce((best, c) => (better(c, best) ? c : best));
  let reason = `${smallest ? 'Smallest model' : 'Most accurate on the held-back images'} within the budget (${describeBudget(b)}): ${describeCandidate(pick)}; ${ok.length} of the ${tried.length} candidates meet it.`;
  if (b.kind === 'board' && new Set(tried.map((c) => c.fit!.flashBytes)).size === 1)
    reason += ' Unstructured pruning changes neither the .tflite (it stores the zeros) nor the arena, so the fit is the int8 model’s at any sparsity, and the pick prunes least.';
  return { pick, reason };
}

/** No candidate met the budget: an error that names the closest one reached. */
function unreachable(b: AutoBudget, tried: readonly AutoCandidate[]): StudioError {
  const field = `auto.${b.kind}`;
  switch (b.kind) {
    case 'max-drop': {
      const best = tried.reduce((x, c) => (c.dropPts < x.dropPts ? c : x));
      return new StudioError(
        'bad-settings',
        `No candidate stays within ${b.points.toFixed(2)} pt: the smallest loss reached is ${best.dropPts.toFixed(2)} pt (${describeCandidate(best)}), so the quantization alone costs more than the budget. Allow at least ${best.dropPts.toFixed(2)} pt.`,
        { field, smallestDropPts: best.dropPts },
      );
    }
    case 'max-size': {
      const best = tried.reduce((x, c) => (c.gzipBytes < x.gzipBytes ? c : x));
      return new StudioError(
        'bad-settings',
        `No candidate is at most ${kb(b.bytes)} gzip'd: the smallest reached is ${kb(best.gzipBytes)} (${describeCandidate(best)}), at the most sparsity the allocation allows. Allow at least ${kb(best.gzipBytes)}.`,
        { field, smallestBytes: best.gzipBytes },
      );
    }
    case 'board': {
      const best = tried.reduce((x, c) => (c.fit!.flashBytes + c.fit!.arenaBytes < x.fit!.flashBytes + x.fit!.arenaBytes ? c : x));
      return new StudioError(
        'bad-settings',
        `No candidate fits the ${BOARDS.get(b.board).label}: the closest, ${pct(best.sparsity)} pruned, needs flash ${kb(best.fit!.flashBytes)} and arena ${kb(best.fit!.arenaBytes)}. ${best.fit!.verdict} Unstructured pruning does not shrink the .tflite; structured pruning or a smaller architecture does.`,
        { field, flashBytes: best.fit!.flashBytes, arenaBytes: best.fit!.arenaBytes },
      );
    }
  }
}
