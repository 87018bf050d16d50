/**
 * The last pruning a preview made, for the layer picture of the same recipe (explain/weight-sample.ts):
 * the picture needs the same pruned model, and pruning again (a whole reconstruction for `obs`)
 * made each picture cost as much as its preview and compete with the next preview in the worker.
 * One slot in the worker's memo, replaced by each new recipe, so at most one whole pruned copy of
 * the model is kept (and one picture's pruning up to its layer, in a second slot). The outcome is
 * shared: whoever gets it reads it and never changes it (the compress job's later stages work on
 * copies: prepareForInference clones).
 */
import type { Graph } from '../../graph/ir';
import type { PruneSettings } from '../../jobs/compress-settings';
import type { Memo } from '../../jobs/compress/types';
import { fingerprint } from '../../recon/sensitivity-cache';
import type { PruneContext, PruneOutcome } from './pruner';
import { PRUNERS } from './registry';

interface Slot {
  key?: string;
  outcome?: Promise<PruneOutcome>;
}

/** JSON with object keys sorted, so that the same settings give the same key however they were spread. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** What decides a pruning's outcome: the weights, the settings, and the calibration records a method reads. */
export function pruneKey(g: Graph, p: PruneSettings, ctx: PruneContext): string {
  const c = ctx.calibration;
  return `${fingerprint(g, c?.images)}:${stable(p)}:${c ? `${c.samples}:${stable(c.preprocessing)}` : '-'}`;
}

/** `prune` once per key while the key is the slot's last (a failed or cancelled pruning is not kept). */
async function inSlot(memo: Memo, slotKey: string, key: string, prune: () => PruneOutcome | Promise<PruneOutcome>): Promise<PruneOutcome> {
  const slot = await memo<Slot>(slotKey, async () => ({}));
  if (slot.key !== key || !slot.outcome) {
    const outcome = Promise.resolve(prune());
    slot.key = key;
    slot.outcome = outcome;
    outcome.catch(() => {
      if (slot.outcome === outcome) slot.key = slot.outcome = undefined;
    });
  }
  return slot.outcome;
}

/**
 * `PRUNERS[p.method].prune(g, p, ctx)`, or the outcome the last call with the same key made while
 * it is still the last (kept in `memo` under one fixed key). A failed or cancelled pruning is not kept.
 * With `ctx.upTo` (the picture), a whole pruning of the same recipe is used when there is one,
 * else the pruning up to that layer, kept in a slot of its own so that it never displaces the
 * preview's whole one.
 */
export async function sharedPrune(memo: Memo, g: Graph, p: PruneSettings, ctx: PruneContext): Promise<PruneOutcome> {
  const { upTo, ...whole } = ctx;
  const key = pruneKey(g, p, whole);
  if (upTo === undefined) return inSlot(memo, 'pruned:last', key, () => PRUNERS[p.method].prune(g, p, whole));
  const last = await memo<Slot>('pruned:last', async () => ({}));
  if (last.key === key && last.outcome) return last.outcome;
  return inSlot(memo, 'pruned:up-to', `${key}:${upTo}`, () => PRUNERS[p.method].prune(g, p, ctx));
}
