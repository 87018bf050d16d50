/**
 * `npm run bench:first-run`: what a new user's first Compress gives and how long it takes, in the
 * real page (issue 19 part 3: ≥ 85% smaller at ≤ 1 point lost within 30 s). Each repeat opens the
 * studio in a fresh browser context (empty cache and storage, as on a first visit) with no URL
 * parameters, so the default model and the default recipe are what runs; it waits until the page
 * is ready, clicks Compress and stops the clock when the run is in the history. The time is
 * "click -> result", the worker's data loading included, as the user waits for it.
 *
 *   npm run bench:first-run [-- --repeats 3 --record --log --think-s 10 --url-params "m=custom-cnn-cifar10"]
 *
 * --log prints each repeat's job log (when each stage started). --think-s waits that long between
 * the page being ready and the click, as a user reading the page does; the studio uses the pause
 * to measure the unchanged model ahead (state/live.ts requestWarm). The default, 0, clicks at once.
 *
 * The npm script builds into .cache/first-run-bench first. Load before and during every repeat is
 * checked (bench/lib/repro.ts); --record writes bench/results/<date>-vm-first-run.md and .json
 * (first-run-think-<N>s with --think-s).
 */
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { browserPath } from '../tools/check/browser';
import { ROOT } from '../tools/cli/node-io';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, summarise, writeResult } from './lib/repro';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const repeats = Number(flag('repeats', '3'));
const distDir = flag('dist', 'dist')!;
const urlParams = flag('url-params', '');
const thinkSeconds = Number(flag('think-s', '0'));

/** What one first Compress showed. */
interface FirstRun {
  seconds: number;
  model: string;
  accuracyBefore: string;
  accuracyAfter: string;
  accuracyChange: string;
  sizeChange: string;
  gzip: string;
  sentence: string;
}

/** "99.18%" -> 99.18 */
const percent = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: Number(flag('port', '4183')), strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const machine = machineInfo(`Chromium ${browser.version()}`);
  let runs: Awaited<ReturnType<typeof repeatRuns<FirstRun>>> = [];
  try {
    runs = await repeatRuns(
      repeats,
      async (i) => {
        // A fresh context per repeat: nothing cached from the previous one, as on a first visit.
        const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
        try {
          const page = await context.newPage();
          await page.goto(urlParams ? `${base}?${urlParams}` : base);
          const model = await page.locator('input[name=model]:checked').getAttribute('value', { timeout: 60_000 });
          await page
            .getByTestId('history-count')
            .filter({ hasNotText: /Reading/ })
            .waitFor({ state: 'attached', timeout: 60_000 });
          // The page's own start-up work (the layer picture's weights, read by the worker) is done,
          // as it is by the time a user has read the page and reached for the button.
          await page.getByTestId('weight-picture').locator('svg').first().waitFor({ timeout: 120_000 });
          const run = page.getByTestId('compress-run');
          await run.waitFor({ state: 'visible' });
          if (thinkSeconds > 0) await page.waitForTimeout(thinkSeconds * 1000);
          const t0 = Date.now();
          await run.click();
          await page.getByTestId('history-row').first().waitFor({ state: 'attached', timeout: 600_000 });
          const seconds = (Date.now() - t0) / 1000;
          const text = (id: string) => page.getByTestId(id).first().innerText();
          const r: FirstRun = {
            seconds,
            model: model ?? '?',
            accuracyBefore: await text('compress-before-accuracy'),
            accuracyAfter: await text('compress-after-accuracy'),
            accuracyChange: await text('compress-change-accuracy'),
            sizeChange: await text('compress-change-size'),
            gzip: await page.getByTestId('headline-size').locator('.figure-sub').innerText(),
            sentence: await text('recipe-sentence'),
          };
          // The job log's lines (each stage with its start time) say where the seconds went.
          if (args.includes('--log')) process.stderr.write(`${(await page.getByTestId('log-line').allInnerTexts()).join('\n')}\n`);
          process.stderr.write(`repeat ${i + 1}: ${seconds.toFixed(1)} s, ${r.accuracyBefore} -> ${r.accuracyAfter}, size ${r.sizeChange}, ${r.gzip}\n`);
          return r;
        } finally {
          await context.close();
        }
      },
      { allowFewer: args.includes('--allow-fewer') },
    );
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const record = reproRecord(machine, runs, startedIso);
  const time = summarise(runs.map((r) => r.value.seconds));
  const drop = summarise(runs.map((r) => percent(r.value.accuracyBefore) - percent(r.value.accuracyAfter)));
  const first = runs[0]?.value;
  const lines = [
    `First Compress with the defaults${urlParams ? ` (URL parameters ${urlParams})` : ''}, model ${first?.model}: click -> result in the page, fresh browser context per repeat, clicked ${thinkSeconds > 0 ? `${thinkSeconds} s after` : 'as soon as'} the page was ready.`,
    '',
    '| figure | median (min-max, spread) |',
    '|---|---|',
    `| click -> result, s | ${formatSpread(time, 1)} |`,
    `| accuracy lost, points | ${formatSpread(drop, 2)} |`,
    '',
    `Each repeat: ${runs.map((r) => `${r.value.accuracyBefore} -> ${r.value.accuracyAfter}, size ${r.value.sizeChange}, ${r.value.gzip}`).join('; ')}`,
    '',
    `What the page said the recipe did: ${first?.sentence}`,
  ];
  console.log(`\n${reproHeader(record).join('\n')}\n\n${lines.join('\n')}`);
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
  if (args.includes('--record')) {
    const files = writeResult(ROOT, thinkSeconds > 0 ? `first-run-think-${thinkSeconds}s` : 'first-run', record, 'bench:first-run: the first Compress with the defaults', lines.join('\n'), { runs: runs.map((r) => r.value) });
    console.log(`\nwrote ${files.md} and ${files.json}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
