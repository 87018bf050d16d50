/**
 * npm run prepare-data [-- --force] [-- --require cifar100]
 *
 * Prepares every dataset (see prepare.ts). Datasets that shipped baselines are evaluated on are
 * required: if one cannot be had, the command fails. Others (CIFAR-100 where the shared copy lacks
 * it and there is no internet) are reported and marked unavailable, and the studio says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS } from '../../src/engine/data/registry';
import type { BaselineIndex } from '../../src/engine/types';
import { copyLiteRtWasm, copyTfliteWasm, copyWasmBinaries } from './wasm-assets';
import { DatasetUnavailableError, prepareDataset, readManifest, writeManifest, type PreparedDataset } from './prepare';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const sharedDir = process.env.STUDIO_SHARED_DATASETS ?? resolve(root, '../shared/datasets');
  const outDir = join(root, 'public', 'data');
  const indexPath = join(root, 'public', 'models', 'index.json');
  const required = new Set<string>(args.flatMap((a, i) => (args[i - 1] === '--require' ? [a] : [])));
  if (!existsSync(indexPath)) {
    console.error(`${indexPath} is missing: the baselines ship with the repository; run "npm run zoo:export && npm run zoo:train" to rebuild them.`);
    process.exit(1);
  }
  for (const m of (JSON.parse(readFileSync(indexPath, 'utf8')) as BaselineIndex).models) {
    required.add(m.dataset);
    if (!existsSync(join(root, 'public', m.path))) {
      console.error(`Baseline ${m.id}: ${m.path} is missing under public/; run "npm run zoo:train -- ${m.id}" to rebuild it.`);
      process.exit(1);
    }
  }
  copyWasmBinaries(root);
  copyTfliteWasm(root);
  copyLiteRtWasm(root);
  const previous = readManifest(outDir)?.datasets ?? {};
  const result: Record<string, PreparedDataset> = {};
  const failures: string[] = [];
  for (const d of DATASETS) {
    try {
      result[d.id] = await prepareDataset(d, { sharedDir, outDir, force, log: (l) => console.log(l) }, previous[d.id]);
    } catch (e) {
      if (!(e instanceof DatasetUnavailableError)) throw e;
      result[d.id] = { id: d.id, available: false, error: e.message };
      (required.has(d.id) ? failures : []).push(e.message);
      console.log(`${required.has(d.id) ? 'ERROR' : 'note'}: ${e.message}`);
    }
  }
  writeManifest(outDir, result);
  if (failures.length > 0) {
    console.error(`\nprepare-data failed: ${failures.length} required dataset(s) unavailable.`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
