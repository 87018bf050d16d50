/**
 * `npm run bench:preview`: how soon the live preview's figures follow the sparsity slider, in the
 * real page. Builds nothing itself (the npm script builds into .cache/preview-bench first), serves
 * the build with `vite preview`, opens the studio in Chromium (/usr/bin/chromium, or CHROMIUM_PATH)
 * on each model, waits until the model's layer picture is drawn, then moves the slider one step
 * with the keyboard, `--moves` times (default 6). For each move it reads, in the page, the time of
 * the slider's input event and the time the headline first shows the ready preview for the new
 * sparsity; the difference is "slider stopped -> first preview figure", the debounce and the
 * worker's round trip included. The first move after opening a model loads the model's data into
 * the worker (cold); the median of the others is the figure a user dragging the slider sees (warm).
 *
 *   npm run bench:preview [-- --models custom-cnn-mnist,mobilenet-v1-1-cifar10 --moves 6 --out file.json]
 *
 * Prints a markdown table with the machine's load average: figures measured while other work
 * runs are labelled "under load".
 */
import { writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { ROOT } from '../tools/cli/node-io';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const models = (flag('models', 'custom-cnn-mnist,custom-cnn-cifar10,mobilenet-v1-1-cifar10') ?? '').split(',');
const moves = Number(flag('moves', '6'));
const distDir = flag('dist', 'dist')!;
const out = flag('out');

interface Move {
  sparsity: string;
  /** Slider input event -> ready preview on screen, ms. */
  wallMs: number;
  /** The engine's own time for the preview (compress job in quick mode), ms. */
  engineMs: number;
  images: string;
  accuracyAfter: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : Number.NaN;
};

async function main(): Promise<void> {
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: Number(flag('port', '4182')), strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  const load = { start: loadavg()[0], cores: cpus().length };
  const results: Array<{ model: string; moves: Move[] }> = [];
  try {
    for (const model of models) {
      process.stderr.write(`${model}: `);
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      // No version: the link means today's defaults, so the preview is of the default recipe at 30%.
      await page.goto(`${base}?m=${model}&sp=0.3`);
      await page.getByTestId('weight-picture').locator('svg').first().waitFor({ timeout: 300_000 });
      const slider = page.getByLabel('Sparsity', { exact: true });
      await slider.evaluate((el) => el.addEventListener('input', () => ((window as unknown as { __inputAt: number }).__inputAt = performance.now())));
      const done: Move[] = [];
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
      results.push({ model, moves: done });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const loadEnd = loadavg()[0];
  const lines = [
    `Live preview: slider stopped -> first preview figure in the page (Chromium, ${base}), ${moves} one-step moves per model.`,
    `Load average ${load.start.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end, on ${load.cores} cores${Math.max(load.start, loadEnd) > 0.5 * load.cores ? ': measured under load' : ''}.`,
    '',
    '| model | test images | first move (cold), ms | later moves, median ms | later moves, max ms | engine, median ms |',
    '|---|---|---|---|---|---|',
    ...results.map(({ model, moves: m }) => {
      const warm = m.slice(1);
      return `| ${model} | ${m[0]?.images ?? '?'} | ${Math.round(m[0]?.wallMs ?? Number.NaN)} | ${Math.round(median(warm.map((x) => x.wallMs)))} | ${Math.round(Math.max(...warm.map((x) => x.wallMs)))} | ${Math.round(median(warm.map((x) => x.engineMs)))} |`;
    }),
  ];
  console.log(lines.join('\n'));
  if (out) writeFileSync(out, JSON.stringify({ load: { ...load, end: loadEnd }, results }, null, 1));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
