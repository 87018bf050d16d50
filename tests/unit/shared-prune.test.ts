/**
 * The preview's pruning kept for the layer picture (prune/methods/shared-outcome.ts): the same
 * recipe on the same weights gets the same outcome without pruning again, however its settings
 * were spread; another recipe replaces the one slot; a failed pruning is not kept; and the picture
 * drawn from the kept outcome equals the picture drawn by pruning anew.
 */
import { describe, expect, it } from 'vitest';
import { weightSample } from '../../src/engine/explain/weight-sample';
import { DEFAULT_SETTINGS, type PruneSettings } from '../../src/engine/jobs/compress-settings';
import type { Memo } from '../../src/engine/jobs/compress/types';
import { pruneKey, sharedPrune } from '../../src/engine/prune/methods/shared-outcome';
import { convGapDense, syntheticImages } from './recon-fixtures';

const graph = convGapDense('shared');
const memoOf = (): Memo => {
  const m = new Map<string, Promise<unknown>>();
  return <T>(key: string, make: () => Promise<T>) => {
    if (!m.has(key)) m.set(key, make());
    return m.get(key) as Promise<T>;
  };
};
const prune = (p: Partial<PruneSettings>): PruneSettings => ({ ...DEFAULT_SETTINGS.prune, spareFirstLast: false, ...p });

describe('sharedPrune', () => {
  it('gives the kept outcome for the same recipe, in any key order, and prunes again after another recipe', async () => {
    const memo = memoOf();
    const p = prune({ method: 'per-layer', sparsity: 0.5 });
    const first = await sharedPrune(memo, graph, p, {});
    const reordered = Object.fromEntries(Object.entries(p).reverse()) as PruneSettings;
    expect(pruneKey(graph, reordered, {})).toBe(pruneKey(graph, p, {}));
    expect(await sharedPrune(memo, graph, reordered, {})).toBe(first);
    const other = await sharedPrune(memo, graph, prune({ method: 'per-layer', sparsity: 0.7 }), {});
    expect(other).not.toBe(first);
    const again = await sharedPrune(memo, graph, p, {});
    expect(again).not.toBe(first);
    expect(again.masks).toEqual(first.masks);
  });

  it('does not keep a pruning that failed, and the picture from the kept outcome is the picture pruned anew', async () => {
    const memo = memoOf();
    const images = syntheticImages(64, [6, 6, 2]);
    const calibration = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 16 };
    const p = prune({ method: 'obs', sparsity: 0.6, params: { images: 16 } });
    const aborted = new AbortController();
    aborted.abort();
    await expect(sharedPrune(memo, graph, p, { calibration, signal: aborted.signal })).rejects.toThrow();
    const kept = await sharedPrune(memo, graph, p, { calibration });
    expect(kept.masks?.size).toBe(2);
    const options = { prune: p, granularity: 'per-channel' as const };
    const fromKept = await weightSample(graph, options, { calibration }, memo);
    const anew = await weightSample(graph, options, { calibration });
    expect(fromKept).toEqual(anew);
  });
});
