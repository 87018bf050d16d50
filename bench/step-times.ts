/**
 * Wall time of the issue-20 steps for one model, through the CLI exactly as a user runs them
 * (docs/STEP-TIMES.md): INT8 PTQ with evaluation on the model's test records, 50% and 90%
 * magnitude pruning + INT8, and the 90% run with the export. Figures, not timed tests; each row
 * carries the load average before and after, since this machine is shared.
 *
 *   npm run bench:steps -- [--model vgg16-cifar10] [--limit 1000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const model = flag('model', 'vgg16-cifar10');
const limit = flag('limit', '1000');
const out = mkdtempSync(join(tmpdir(), 'step-times-'));

const runs: { step: string; flags: string[] }[] = [
  { step: 'INT8 PTQ + evaluation', flags: ['--quant', 'int8'] },
  { step: '50% magnitude + INT8', flags: ['--prune', '0.5', '--prune-method', 'per-layer', '--prune-first-last', '--quant', 'int8'] },
  { step: '90% magnitude + INT8 + export', flags: ['--prune', '0.9', '--prune-method', 'per-layer', '--prune-first-last', '--quant', 'int8', '--export-dir', out] },
];

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(`| ${model} step (records 0-${Number(limit) - 1}) | wall | load before | load after |`);
console.log('|---|---|---|---|');
for (const r of runs) {
  const before = load();
  const t0 = performance.now();
  execFileSync('npx', ['tsx', 'tools/cli/studio.ts', 'compress', '--model', model, '--limit', limit, ...r.flags], { stdio: ['ignore', 'ignore', 'inherit'] });
  const s = (performance.now() - t0) / 1000;
  console.log(`| ${r.step} | ${s.toFixed(0)} s | ${before} | ${load()} |`);
}
