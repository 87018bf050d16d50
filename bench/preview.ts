/**
 * `npm run bench:preview`: how soon the live preview's figures follow the sparsity slider, in the
 * real page (issue 19: the first figure within 1 s of the slider stopping for the custom CNN, 3 s
 * for MobileNetV1 1.0). Builds nothing itself (the npm script builds into .cache/preview-bench
 * first), serves the build with `vite preview`, and for each model and each repeat opens the studio
 * in a fresh browser context, waits until the model's layer picture is drawn, then moves the
 * slider one step with the keyboard, `--moves` times (default 6). For each move it reads, in the
 * page, the time of the slider's input event and the time the headline first shows the ready
 * preview for the new sparsity; the difference is "slider stopped -> first preview figure", the
 * debounce and the worker's round trip included. The first move after opening a model loads the
 * model's data into the worker (cold); the median of the others is the figure a user dragging the
 * slider sees (warm). A repeat's figure is that median; the result is the median of the repeats.
 *
 *   npm run bench:preview [-- --models custom-cnn-mnist,mobilenet-v1-1-cifar10 --moves 6 --repeats 3 --record]
 *
 * The load before and during every repeat is checked (bench/lib/repro.ts: other processes' CPU
 * use, not the bench's own browser); --record writes bench/results/<date>-vm-preview.md and .json.
 */
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { browserPath } from '../tools/check/browser';
import { ROOT } from '../tools/cli/node-io';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, summarise, writeResult, type RepeatRecord } from './lib/repro';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const models = (flag('models', 'custom-cnn-mnist,mobilenet-v1-1-cifar10') ?? '').split(',');
const moves = Number(flag('moves', '6'));
const repeats = Number(flag('repeats', '3'));
const distDir = flag('dist', 'dist')!;

interface Move {
  sparsity: string;
  /** Slider input event -> ready preview on screen, ms. */
  wallMs: number;
  /** The engine's own time for the preview (compress job in quick mode), ms. */
  engineMs: number;
  images: string;
  accuracyAfter: string;
}

/** One repeat on one model: its moves, and the medians of the warm ones. */
interface Repeat {
  model: string;
  moves: Move[];
  coldMs: number;
  warmMs: number;
  warmMaxMs: number;
  engineMs: number;
}

const median = (xs: number[]) => summarise(xs).median;

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: Number(flag('port', '4182')), strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const machine = machineInfo(`Chromium ${browser.version()}`);
  const runs: Array<RepeatRecord<Repeat>> = [];
  try {
    for (const model of models) {
      const measured = await repeatRuns(
        repeats,
        async (k) => {
          const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
          try {
            const page = await context.newPage();
            // No version: the link means today's defaults, so the preview is of the default recipe at 30%.
            await page.goto(`${base}?m=${model}&sp=0.3`);
            await page.getByTestId('weight-picture').locator('svg').first().waitFor({ timeout: 300_000 });
            const slider = page.getByLabel('Sparsity', { exact: true });
            await slider.evaluate((el) => el.addEventListener('input', () => ((window as unknown as { __inputAt: number }).__inputAt = performance.now())));
            const done: Move[] = [];
            process.stderr.write(`${model}, repeat ${k + 1}: `);
            for (let i = 0; i < moves; i++) {
              await slider.focus();
              await page.keyboard.press('ArrowRight');
              const sparsity = await slider.inputValue();
              const seenAt = await page.waitForFunction(
                (sp) => {
                  const h = document.querySelector<HTMLElement>('[data-testid=headline]');
                  return h?.dataset.preview === 'ready' && h.dataset.previewSparsity === sp ? performance.now() : false;
                },
                sparsity,
                { polling: 'raf', timeout: 300_000 },
              );
              const inputAt = await page.evaluate(() => (window as unknown as { __inputAt: number }).__inputAt);
              const h = page.getByTestId('headline');
              const move: Move = {
                sparsity,
                wallMs: ((await seenAt.jsonValue()) as number) - inputAt,
                engineMs: Number(await h.getAttribute('data-preview-engine-ms')),
                images: (await page.getByTestId('preview-badge').innerText()).replace(/^preview · | images.*$/g, ''),
                accuracyAfter: await page.getByTestId('preview-after-accuracy').innerText(),
              };
              done.push(move);
              process.stderr.write(`${Math.round(move.wallMs)} ms `);
            }
            process.stderr.write('\n');
            const warm = done.slice(1);
            return { model, moves: done, coldMs: done[0].wallMs, warmMs: median(warm.map((m) => m.wallMs)), warmMaxMs: Math.max(...warm.map((m) => m.wallMs)), engineMs: median(warm.map((m) => m.engineMs)) };
          } finally {
            await context.close();
          }
        },
        { allowFewer: args.includes('--allow-fewer') },
      );
      runs.push(...measured.map((r, i) => ({ ...r, index: runs.length + i })));
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  const record = reproRecord(machine, runs, startedIso);
  const lines = [
    `Live preview: slider stopped -> first preview figure in the page (${machine.browser}), ${moves} one-step moves per repeat (the first, cold, loads the model's data), a fresh browser context per repeat, the default recipe from 30% sparsity. Each repeat's figure is the median of its warm moves.`,
    '',
    '| model | test images | slider stop -> first figure, warm, ms | slowest warm move, ms | engine, ms | first move (cold), ms |',
    '|---|---|---|---|---|---|',
    ...models.map((model) => {
      const rs = runs.filter((r) => r.value.model === model).map((r) => r.value);
      const s = (f: (r: Repeat) => number) => formatSpread(summarise(rs.map(f)), 0);
      return `| ${model} | ${rs[0]?.moves[0]?.images ?? '?'} | ${s((r) => r.warmMs)} | ${Math.round(Math.max(...rs.map((r) => r.warmMaxMs)))} | ${s((r) => r.engineMs)} | ${s((r) => r.coldMs)} |`;
    }),
  ];
  console.log(`\n${reproHeader(record).join('\n')}\n\n${lines.join('\n')}`);
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
  if (args.includes('--record')) {
    const files = writeResult(ROOT, 'preview', record, 'bench:preview: slider stop -> first preview figure', lines.join('\n'), { runs: runs.map((r) => r.value) });
    console.log(`\nwrote ${files.md} and ${files.json}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
