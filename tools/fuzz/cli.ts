/**
 * `npm run fuzz`: builds the corpus from the shipped custom-cnn-mnist model, runs every case in
 * Node, and prints the table (cases, refused with the right error, accepted as expected, wrong
 * outcome, hangs over 10 s, crashes). Exit code 1 when any case misbehaves.
 *   npm run fuzz -- [--write dir]   (also writes each case's files for manual or browser use)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initBackend } from '../../src/engine/backend/init';
import { buildCorpus } from './corpus';
import { matches, runCase } from './run-case';
import { formatSeeds, shippedSeed } from './seed';

async function main() {
  await initBackend('wasm');
  const corpus = buildCorpus(shippedSeed(), undefined, formatSeeds());
  const out = process.argv.indexOf('--write');
  const rows = { cases: corpus.length, refusedRight: 0, acceptedRight: 0, wrong: 0, hangs: 0, crashes: 0 };
  for (const c of corpus) {
    if (out > 0) {
      const dir = join(process.argv[out + 1], c.id.replace(/[^a-z0-9-]/gi, '_'));
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of Object.entries(c.files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), bytes);
      }
      writeFileSync(join(dir, 'expect.json'), JSON.stringify(c.expect));
    }
    const o = await runCase(c);
    if (o.ms > 10_000) rows.hangs++;
    if (o.outcome === 'crash') rows.crashes++;
    if (!matches(c, o)) {
      rows.wrong++;
      console.log(`WRONG ${c.id}: expected ${JSON.stringify(c.expect)}, got ${o.outcome} ${o.code ?? ''} ${o.message?.split('\n')[0] ?? ''}`);
    } else if (o.outcome === 'accept') rows.acceptedRight++;
    else rows.refusedRight++;
  }
  console.log('| cases | refused with the right error | accepted as expected | wrong outcome | hangs (>10 s) | crashes |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| ${rows.cases} | ${rows.refusedRight} | ${rows.acceptedRight} | ${rows.wrong} | ${rows.hangs} | ${rows.crashes} |`);
  if (rows.wrong || rows.hangs || rows.crashes) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
