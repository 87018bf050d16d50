/**
 * `npm run cli -- compress --auto --max-drop 1.0 | --max-size 100KB | --board esp32`: the engine's
 * automatic search (jobs/auto-search.ts) on held-back training images, each candidate printed as
 * it is measured, the pick and why; then the compress job on the pick, measured on the test
 * records as `compress` measures. Held-back and test figures are printed apart: the search chose
 * on the first, and never saw the second.
 */
import { describeBudget } from '../../src/engine/choices/auto-budget';
import { autoSearchBaseline, type AutoSearchResult } from '../../src/engine/jobs/auto-search';
import type { CompressedModels, CompressResult } from '../../src/engine/jobs/compress';
import { describeCandidate } from '../../src/engine/recon/budget-search';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import { BACKENDS } from '../../src/engine/choices/train';
import { autoBudgetFromFlags, autoRecipe, heldOutFromFlags } from './auto-flags';
import { compressWith, findBaseline, printCompressTable, refuseLongJob, settingsOf } from './compress-command';
import { choice, type Flags } from './flags';
import { readPublic } from './node-io';

export interface AutoRun {
  search: AutoSearchResult;
  result: CompressResult & { backendNote?: string };
}

export async function autoFromFlags(flags: Flags, log: (s: string) => void, bar: (f: number) => string, onModels?: (m: CompressedModels) => void): Promise<AutoRun> {
  const budget = autoBudgetFromFlags(flags)!;
  const heldOut = heldOutFromFlags(flags);
  const entry = await findBaseline(flags);
  const settings = await settingsOf(flags, autoRecipe(flags));
  const backend = await prepareTrainingBackend(choice(flags, 'backend', BACKENDS) ?? 'wasm');
  // The compression of the pick would be refused after the search; ask first (as a pruned job).
  // The search's own time is not estimated: the estimate has no model of reconstruction pruning.
  await refuseLongJob(entry, { ...settings, prune: { ...settings.prune, sparsity: 0.5 } }, flags);
  log(`searching ${entry.id} on ${backend.backend} under ${describeBudget(budget)} (${settings.prune.allocation} allocation, ${settings.quant.mode})\n`);
  const search = await autoSearchBaseline(entry, settings, budget, {
    read: readPublic,
    allocation: settings.prune.allocation,
    heldOut,
    onProgress: (phase, done, total) => log(`\r${phase.padEnd(16)} ${bar(total ? done / total : 0)} ${done}/${total}   `),
    onCandidate: (c, i) => log(`\rcandidate ${String(i + 1).padStart(2)}: ${describeCandidate(c)}${c.meets ? '' : ' (over budget)'} [${(c.elapsedMs / 1000).toFixed(0)} s]\n`),
  });
  const result = await compressWith(entry, search.pickSettings, flags, log, bar, onModels);
  return { search, result };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function printAuto({ search, result }: AutoRun): void {
  console.log(
    `automatic search: ${search.candidates.length} candidates, ${search.allocation} allocation, judged on ${search.heldOutImages} held-back training images (permutation records ${search.heldOutFrom}-${search.heldOutFrom + search.heldOutImages - 1}; unchanged model ${pct(search.baselineHeldOutAccuracy)}), ${(search.elapsedMs / 1000).toFixed(0)} s${search.sensitivityReused ? ' (sensitivity from the cache)' : ''}`,
  );
  console.log(`${'sparsity'.padStart(9)} ${'held-back'.padStart(10)} ${'drop'.padStart(8)} ${'agree'.padStart(7)} ${'gzip'.padStart(10)} ${'sparse'.padStart(10)}  budget`);
  for (const c of [...search.candidates].sort((a, b) => a.sparsity - b.sparsity))
    console.log(
      `${pct(c.sparsity).padStart(9)} ${pct(c.heldOutAccuracy).padStart(10)} ${c.dropPts.toFixed(2).padStart(8)} ${pct(c.agreement).padStart(7)} ${`${(c.gzipBytes / 1024).toFixed(1)} KB`.padStart(10)} ${`${(c.sparseBytes / 1024).toFixed(1)} KB`.padStart(10)}  ${c.meets ? 'met' : 'over'}${c === search.pick ? '  <- pick' : ''}`,
    );
  console.log(`pick: ${search.reason}`);
  console.log(`held-back (chosen on): accuracy ${pct(search.baselineHeldOutAccuracy)} -> ${pct(search.pick.heldOutAccuracy)} (${(-search.pick.dropPts).toFixed(2)} pts)`);
  console.log(
    `test records (never seen by the search): accuracy ${pct(result.before.metrics.accuracy)} -> ${pct(result.after.metrics.accuracy)} (${((result.after.metrics.accuracy - result.before.metrics.accuracy) * 100).toFixed(2)} pts)\n`,
  );
  printCompressTable(result);
}
