/**
 * `npm run bench:compress -- --only auto-mobilenet05` (issue 18's target): the automatic search on
 * MobileNetV1 0.5, CIFAR-10, with a 1-point budget on held-back training images, against the
 * uniform recipe searched under the same budget (uniform sparsity bisected to the same held-back
 * accuracy bound). Both picks are compressed and measured on the test records; the target is a
 * smaller model from the search at no worse accuracy. Figures, not a timed test.
 */
import type { AutoBudget } from '../src/engine/choices/auto-budget';
import type { PruneAllocation } from '../src/engine/choices/prune';
import { autoSearchBaseline, type AutoSearchResult } from '../src/engine/jobs/auto-search';
import { compressBaseline, type CompressResult } from '../src/engine/jobs/compress';
import { withDefaults } from '../src/engine/jobs/compress-settings';
import { describeCandidate } from '../src/engine/recon/budget-search';
import type { BaselineEntry } from '../src/engine/types';
import { readPublic } from '../tools/cli/node-io';

export const AUTO_MODEL = 'mobilenet-v1-0.5-cifar10';
const BUDGET: AutoBudget = { kind: 'max-drop', points: 1 };

export interface AutoCaseRow {
  allocation: PruneAllocation;
  search: AutoSearchResult;
  result: CompressResult;
  searchSeconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

export async function runAutoCase(entry: BaselineEntry, log: (s: string) => void): Promise<AutoCaseRow[]> {
  const settings = withDefaults({ prune: { method: 'obs', spareFirstLast: false }, finetune: { epochs: 0 }, quant: { mode: 'int8' }, latencyRuns: 3 });
  const rows: AutoCaseRow[] = [];
  for (const allocation of ['sensitivity', 'uniform'] as const) {
    log(`\n${entry.id}: search, ${allocation} allocation, budget 1.0 pt on held-back training images\n`);
    const t0 = performance.now();
    const search = await autoSearchBaseline(entry, settings, BUDGET, {
      read: readPublic,
      allocation,
      onProgress: (phase, done, total) => log(`\r  ${phase.padEnd(12)} ${done}/${total}   `),
      onCandidate: (c, i) => log(`\r  candidate ${i + 1}: ${describeCandidate(c)}${c.meets ? '' : ' (over budget)'} [${(c.elapsedMs / 1000).toFixed(0)} s]\n`),
    });
    const searchSeconds = (performance.now() - t0) / 1000;
    const result = await compressBaseline(entry, search.pickSettings, { read: readPublic, onProgress: (stage, done, total) => log(`\r  ${stage.padEnd(16)} ${done}/${total}      `) });
    rows.push({ allocation, search, result, searchSeconds });
  }
  return rows;
}

export function printAutoCase(rows: AutoCaseRow[]): void {
  console.log(`\nAutomatic search, MobileNetV1 0.5 CIFAR-10, accuracy loss <= 1.0 pt on held-back training images, obs + int8, no training`);
  console.log(
    `${'allocation'.padEnd(12)} ${'sparsity'.padStart(9)} ${'held-back'.padStart(18)} ${'test accuracy'.padStart(24)} ${'gzip int8'.padStart(10)} ${'sparse int8'.padStart(12)} ${'candidates'.padStart(11)} ${'search'.padStart(8)}`,
  );
  for (const { allocation, search, result, searchSeconds } of rows) {
    const test = `${pct(result.before.metrics.accuracy)} -> ${pct(result.after.metrics.accuracy)}`;
    const held = `${pct(search.pick.heldOutAccuracy)} (${(-search.pick.dropPts).toFixed(2)})`;
    console.log(
      `${allocation.padEnd(12)} ${pct(search.pick.sparsity).padStart(9)} ${held.padStart(18)} ${test.padStart(24)} ${kb(result.after.size.gzipBytes).padStart(10)} ${kb(result.after.size.sparseBytes).padStart(12)} ${String(search.candidates.length).padStart(11)} ${`${searchSeconds.toFixed(0)} s`.padStart(8)}`,
    );
    console.log(`  pick: ${search.reason}`);
  }
  const [auto, uniform] = rows;
  if (auto && uniform) {
    const smaller = auto.result.after.size.gzipBytes < uniform.result.after.size.gzipBytes;
    const lossA = (auto.result.before.metrics.accuracy - auto.result.after.metrics.accuracy) * 100;
    const lossU = (uniform.result.before.metrics.accuracy - uniform.result.after.metrics.accuracy) * 100;
    console.log(
      `target: smaller than uniform at the same accuracy: gzip'd int8 ${kb(auto.result.after.size.gzipBytes)} vs ${kb(uniform.result.after.size.gzipBytes)} (${smaller ? 'smaller' : 'NOT smaller'}), test loss ${lossA.toFixed(2)} vs ${lossU.toFixed(2)} pts`,
    );
  }
}
