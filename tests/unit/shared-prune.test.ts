/**
 * The preview's pruning kept for the layer picture (prune/methods/shared-outcome.ts): the same
 * recipe on the same weights gets the same outcome without pruning again, however its settings
 * were spread; another recipe replaces the one slot; a failed pruning is not kept; and the picture
 * drawn from the kept outcome equals the picture drawn by pruning anew. The picture prunes only up
 * to the layer it draws, and draws what the whole pruning would.
 */
import { describe, expect, it } from 'vitest';
import { weightSample } from '../../src/engine/explain/weight-sample';
import { DEFAULT_SETTINGS, type PruneSettings } from '../../src/engine/jobs/compress-settings';
import type { Memo } from '../../src/engine/jobs/compress/types';
import { pruneKey, sharedPrune } from '../../src/engine/prune/methods/shared-outcome';
import { PRUNERS } from '../../src/engine/prune/methods/registry';
import type { Graph } from '../../src/engine/graph/ir';
import { convGapDense, kernelValues, syntheticImages } from './recon-fixtures';

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

  it('prunes for the picture only up to the drawn layer, and draws what the whole pruning draws', async () => {
    // Two convs: the picture draws the second (the first with 8 input channels), so the first is
    // pruned before it (its inputs come from the pruned first) and the dense layer after it is not.
    const g: Graph = {
      name: 'two-convs',
      output: 'd',
      nodes: [
        { name: 'in', op: 'input', inputs: [], shape: [6, 6, 2] },
        { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 8], values: kernelValues(144, 1.7) }, strides: [1, 1], padding: 'same', activation: 'relu' },
        { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 8, 8], values: kernelValues(576, 0.9) }, strides: [1, 1], padding: 'same', activation: 'relu' },
        { name: 'gap', op: 'gap', inputs: ['c2'] },
        { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [8, 3], values: kernelValues(24, 2.3) }, activation: 'linear' },
      ],
    };
    const calibration = { images: syntheticImages(64, [6, 6, 2]), preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 16 };
    const p = prune({ method: 'obs', sparsity: 0.6, params: { images: 16 } });
    const upTo = await PRUNERS.obs.prune(g, p, { calibration, upTo: 'c2' });
    expect([...(upTo.masks?.keys() ?? [])]).toEqual(['c1', 'c2']);
    const whole = await PRUNERS.obs.prune(g, p, { calibration });
    expect([...(whole.masks?.keys() ?? [])]).toEqual(['c1', 'c2', 'd']);
    expect(upTo.masks?.get('c2')).toEqual(whole.masks?.get('c2'));
    const options = { prune: p, granularity: 'per-channel' as const };
    const drawn = await weightSample(g, options, { calibration });
    expect(drawn.layer).toBe('c2');
    const memo = memoOf();
    await sharedPrune(memo, g, p, { calibration });
    expect(await weightSample(g, options, { calibration }, memo)).toEqual(drawn);
  });
});
