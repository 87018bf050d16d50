/**
 * Training images/s where the studio trains: the engine worker in headless Chromium, on the tfjs
 * wasm backend with the composed gradient kernels, in a cross-origin-isolated page, so on tfjs'
 * threaded wasm build with one XNNPACK thread per core (engine/backend/init.ts). Node's wasm
 * backend has no threads (bench/wasm-training.ts measures that one), so this is the figure a
 * studio user gets.
 *
 *   npm run bench:train-browser -- [--repeats 3] [--steps 20] [--batch 64] [--only custom-cnn-mnist,...]
 *
 * Each model: one fine-tuning job (SGD, the job's defaults) over the first steps x batch training
 * images, timed by the job itself (fit.ts: all steps, the first included), then an estimate of one
 * epoch of the model's training split at that rate.
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { getDataset } from '../src/engine/data/registry';
import type { FinetuneJobResult, JobRequest } from '../src/workers/protocol';
import { readIndex, ROOT } from '../tools/cli/node-io';
import { browserPath } from '../tools/check/browser';
import { formatSpread, machineInfo, type RepeatRecord, repeatRuns, reproHeader, reproRecord, summarise } from './lib/repro';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(flag('steps', '20'));
const batch = Number(flag('batch', '64'));
const only = (flag('only', 'custom-cnn-mnist,custom-cnn-cifar10,mobilenet-v1-0.5-cifar10') ?? '').split(',');

async function main(): Promise<void> {
  const index = await readIndex();
  const unknown = only.filter((id) => !index.models.some((m) => m.id === id));
  if (unknown.length) throw new Error(`--only: no shipped baseline ${unknown.join(', ')}`);
  const outDir = join(ROOT, '.cache', 'bench-train-dist');
  process.stderr.write('building the studio...\n');
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 4198, strictPort: false, host: '127.0.0.1', open: false } });
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const startedIso = new Date().toISOString();
  let runs: Array<RepeatRecord<Array<{ modelId: string; r: FinetuneJobResult }>>> = [];
  let cores = 0;
  let version = '';
  try {
    const page = await browser.newPage();
    version = browser.version();
    await page.goto(`${server.resolvedUrls!.local[0]}?bench`);
    await page.waitForFunction(() => !!window.studioBench, undefined, { timeout: 60_000 });
    cores = await page.evaluate(() => navigator.hardwareConcurrency);
    runs = await repeatRuns(
      Number(flag('repeats', '3')),
      async (i) => {
        const out = [];
        for (const modelId of only) {
          const job: JobRequest = { type: 'finetune', modelId, backend: 'wasm', settings: { epochs: 1, batchSize: batch, learningRate: 0.001, seed: 1, trainLimit: steps * batch, evalLimit: 100 } };
          process.stderr.write(`repeat ${i + 1}, ${modelId}: ${steps} steps of ${batch} ... `);
          const r = (await page.evaluate((j) => window.studioBench!.run(j), job)) as FinetuneJobResult;
          process.stderr.write(`${r.imagesPerSecond.toFixed(0)} img/s\n`);
          out.push({ modelId, r });
        }
        return out;
      },
      { allowFewer: args.includes('--allow-fewer') },
    );
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const record = reproRecord(machineInfo(`Chromium ${version}`), runs, startedIso);
  console.log(`\n${reproHeader(record).join('\n')}`);
  console.log(`\nTraining in the studio's engine worker (headless Chromium, ${cores} logical cores), batch ${batch}, SGD; img/s is the median of the repeats (min-max, spread):`);
  console.log('| model | backend | note | steps | img/s | one epoch at that rate |');
  console.log('|---|---|---|---|---|---|');
  runs[0].value.forEach(({ modelId, r }, k) => {
    const ips = summarise(runs.map((run) => run.value[k].r.imagesPerSecond));
    const epochImages = getDataset(index.models.find((m) => m.id === modelId)!.dataset).trainCount;
    console.log(`| ${modelId} | ${r.backend} | ${r.backendNote ?? ''} | ${r.steps} | ${formatSpread(ips, 0)} | ${(epochImages / ips.median / 60).toFixed(1)} min for ${epochImages.toLocaleString('en')} |`);
  });
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
