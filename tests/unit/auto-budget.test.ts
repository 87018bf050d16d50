/**
 * The automatic search's decisions (recon/budget-search.ts) on synthetic candidates whose figures
 * are formulas of the sparsity, so every tried sparsity and the pick are computed by hand; the
 * budget table's parsing (choices/auto-budget.ts) and the CLI's budget flags (tools/cli/auto-flags.ts).
 */
import { describe, expect, it } from 'vitest';
import { AUTO_BUDGETS, type AutoBudget, checkBudget, parseBudget, parseBytes } from '../../src/engine/choices/auto-budget';
import { BOARDS } from '../../src/engine/choices/deploy';
import { bisectBudget, type Measured, meetsBudget, mostCandidates, pickCandidate } from '../../src/engine/recon/budget-search';
import { autoBudgetFromFlags } from '../../tools/cli/auto-flags';

/** A candidate whose held-back accuracy falls and whose size shrinks as the sparsity rises. */
const oracle =
  (drop: (t: number) => number, bytes: (t: number) => number, fit?: (t: number) => Measured['fit']) =>
  async (t: number): Promise<Measured> => ({
    sparsity: t,
    layerSparsities: { a: t },
    heldOutAccuracy: 0.9 - drop(t) / 100,
    dropPts: drop(t),
    agreement: 1,
    gzipBytes: bytes(t),
    sparseBytes: bytes(t),
    ...(fit ? { fit: fit(t) } : {}),
    elapsedMs: 0,
  });

/** The sparsities tried, to 9 places (halving 0.95 rounds in the last bit). */
function expectTried(cs: readonly { sparsity: number }[], want: number[]): void {
  expect(cs).toHaveLength(want.length);
  cs.forEach((c, i) => expect(c.sparsity).toBeCloseTo(want[i], 9));
}

const search = (b: AutoBudget, o: (t: number) => Promise<Measured>, maxSparsity = 0.95) => bisectBudget(b, o, { maxSparsity, tolerance: 0.02 });

describe('bisectBudget and pickCandidate', () => {
  it('an accuracy budget: tries 0, the most, then halves to the largest sparsity within it', async () => {
    // drop = 10 t² points, so the 1-point boundary is t = √0.1 = 0.3162.
    const tried = await search(
      { kind: 'max-drop', points: 1 },
      oracle(
        (t) => 10 * t * t,
        (t) => 1000 * (1 - t),
      ),
    );
    // 0 ok, 0.95 over (9.03), 0.475 over (2.26), 0.2375 ok (0.56), 0.35625 over (1.27),
    // 0.296875 ok (0.88), 0.3265625 over (1.07), 0.31171875 ok (0.97); the bracket is then 0.0148 wide.
    expectTried(tried, [0, 0.95, 0.475, 0.2375, 0.35625, 0.296875, 0.3265625, 0.31171875]);
    expect(tried.map((c) => c.meets)).toEqual([true, false, false, true, false, true, false, true]);
    const { pick, reason } = pickCandidate({ kind: 'max-drop', points: 1 }, tried);
    expect(pick.sparsity).toBeCloseTo(0.31171875, 9);
    expect(reason).toMatch(/^Smallest model within the budget \(accuracy loss ≤ 1\.0 pt\): 31\.2% pruned.*; 4 of the 8 candidates meet it\.$/);
    // log2(0.95 / 0.02) = 5.6, so six halvings after the two ends.
    expect(mostCandidates({ maxSparsity: 0.95, tolerance: 0.02 })).toBe(8);
  });

  it('a size budget is met by a candidate exactly at it, and the most accurate such candidate is picked', async () => {
    // bytes = 1000 (1 − t): the most (t = 1) gives 0, none gives 1000, t = 0.5 exactly the budget of 500.
    const tried = await search(
      { kind: 'max-size', bytes: 500 },
      oracle(
        (t) => t,
        (t) => 1000 * (1 - t),
      ),
      1,
    );
    expectTried(tried, [1, 0, 0.5, 0.25, 0.375, 0.4375, 0.46875, 0.484375]);
    expect(tried[2]).toMatchObject({ gzipBytes: 500, meets: true });
    expect(pickCandidate({ kind: 'max-size', bytes: 500 }, tried).pick.sparsity).toBe(0.5);
    expect(meetsBudget({ kind: 'max-size', bytes: 499 }, tried[2])).toBe(false);
  });

  it('stops at two candidates when the hard end meets the budget too', async () => {
    const tried = await search(
      { kind: 'max-drop', points: 5 },
      oracle(
        (t) => t,
        (t) => 100 - t,
      ),
    );
    expect(tried.map((c) => c.sparsity)).toEqual([0, 0.95]);
    expect(pickCandidate({ kind: 'max-drop', points: 5 }, tried).pick.sparsity).toBe(0.95);
  });

  it('an unreachable accuracy budget names the smallest loss reached', async () => {
    const tried = await search(
      { kind: 'max-drop', points: 1 },
      oracle(
        (t) => 1.5 + t,
        () => 100,
      ),
    );
    expect(tried).toHaveLength(1);
    expect(() => pickCandidate({ kind: 'max-drop', points: 1 }, tried)).toThrow(/smallest loss reached is 1\.50 pt.*Allow at least 1\.50 pt/);
  });

  it('an unreachable size budget names the smallest size reached', async () => {
    const tried = await search(
      { kind: 'max-size', bytes: 1024 },
      oracle(
        (t) => t,
        (t) => 2048 + 10_000 * (1 - t),
      ),
    );
    expect(tried.map((c) => c.sparsity)).toEqual([0.95]);
    expect(() => pickCandidate({ kind: 'max-size', bytes: 1024 }, tried)).toThrow(/smallest reached is 2\.5 KB/);
  });

  it('a board budget: the fit does not change with sparsity, so the pick prunes least; a model too big names its flash', async () => {
    const flash = BOARDS.get('esp32').flashBytes;
    const fit = (bytes: number) => () => ({ fits: bytes <= flash, flashBytes: bytes, arenaBytes: 1000, verdict: 'v.' });
    const fits = await search(
      { kind: 'board', board: 'esp32' },
      oracle(
        (t) => t,
        () => 100,
        fit(flash),
      ),
    );
    expect(fits.map((c) => c.sparsity)).toEqual([0.95, 0]);
    const { pick, reason } = pickCandidate({ kind: 'board', board: 'esp32' }, fits);
    expect(pick.sparsity).toBe(0);
    expect(reason).toMatch(/fit is the int8 model’s at any sparsity/);
    const big = await search(
      { kind: 'board', board: 'esp32' },
      oracle(
        (t) => t,
        () => 100,
        fit(flash + 1024),
      ),
    );
    expect(() => pickCandidate({ kind: 'board', board: 'esp32' }, big)).toThrow(/No candidate fits the ESP32.*flash 4097\.0 KB/);
  });
});

describe('budgets from text and flags', () => {
  it('parses sizes in bytes, KB and MB (1024)', () => {
    expect(parseBytes('100KB', 'f')).toBe(102_400);
    expect(parseBytes('0.5 mb', 'f')).toBe(524_288);
    expect(parseBytes('2048', 'f')).toBe(2048);
    expect(() => parseBytes('lots', '--max-size')).toThrow(/--max-size: must be a positive size/);
  });

  it('takes a board from the board table and names the allowed ones otherwise', () => {
    expect(parseBudget('board', 'esp32')).toEqual({ kind: 'board', board: 'esp32' });
    expect(AUTO_BUDGETS.get('board').arg).toBe(BOARDS.ids.join('|'));
    expect(() => parseBudget('board', 'pdp11')).toThrow(new RegExp(`--board: must be one of ${BOARDS.allowed}`));
  });

  it('checks a budget as a request carries it, naming the field', () => {
    expect(checkBudget({ kind: 'max-drop', points: 1 })).toEqual({ kind: 'max-drop', points: 1 });
    expect(checkBudget({ kind: 'board', board: 'esp32' })).toEqual({ kind: 'board', board: 'esp32' });
    expect(() => checkBudget({ kind: 'max-loss', points: 1 })).toThrow(/budget\.kind: must be one of max-drop, max-size, board/);
    expect(() => checkBudget({ kind: 'max-drop', points: -1 })).toThrow('budget.points: must be accuracy points between 0 and 100 (got -1).');
    expect(() => checkBudget({ kind: 'max-size' })).toThrow('budget.bytes: must be a positive number of bytes (got nothing).');
    expect(() => checkBudget({ kind: 'board', board: 'pdp11' })).toThrow(/budget\.board: must be one of/);
    expect(() => checkBudget(undefined)).toThrow(/budget\.kind/);
  });

  it('refuses budget flags that are missing, doubled, malformed, without --auto or against the search', () => {
    expect(autoBudgetFromFlags({ auto: true, 'max-drop': '1.0' })).toEqual({ kind: 'max-drop', points: 1 });
    expect(autoBudgetFromFlags({ auto: true, 'max-size': '100KB' })).toEqual({ kind: 'max-size', bytes: 102_400 });
    expect(autoBudgetFromFlags({ board: 'esp32' })).toBeUndefined();
    expect(() => autoBudgetFromFlags({ auto: true })).toThrow(/--auto needs exactly one budget, got none: --max-drop <points>, --max-size .*, --board /);
    expect(() => autoBudgetFromFlags({ auto: true, 'max-drop': '1', board: 'esp32' })).toThrow(/got --max-drop and --board/);
    expect(() => autoBudgetFromFlags({ auto: true, 'max-drop': 'one' })).toThrow(/--max-drop: must be accuracy points/);
    expect(() => autoBudgetFromFlags({ 'max-drop': '1' })).toThrow(/--max-drop is a budget of the automatic search; add --auto/);
    expect(() => autoBudgetFromFlags({ auto: true, 'max-drop': '1', prune: '0.5' })).toThrow(/--prune does not go with --auto/);
    expect(() => autoBudgetFromFlags({ auto: true, 'max-drop': '1', 'prune-method': 'global' })).toThrow(/--prune-method: --auto searches obs/);
  });
});
