/**
 * `npm run screenshot`: the README's picture of the studio (docs/screenshot.png). The npm script
 * prepares the data and wasm files and builds the page into .cache/screenshot first; this serves that build with `vite preview`, opens
 * the studio at 1280x720 in Chromium (tools/check/browser.ts finds it), runs the default Compress
 * on the default model to the end, and saves what the first screen then shows. Not part of
 * `npm test`: the picture changes with every figure on it, so it is remade by hand when the page
 * changes.
 *
 *   npm run screenshot [-- --out docs/screenshot.png --port 4403 --timeout-s 300]
 *
 * On failure it saves what the page showed to .cache/screenshot-failed.png.
 */
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { browserPath } from '../check/browser';
import { ROOT } from '../cli/node-io';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

async function main(): Promise<void> {
  const out = resolve(ROOT, flag('out', 'docs/screenshot.png'));
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: flag('dist', '.cache/screenshot') }, preview: { port: Number(flag('port', '4403')), strictPort: true, host: '127.0.0.1', open: false } });
  const browser = await chromium.launch({
    executablePath: browserPath({ playwrightPath: () => chromium.executablePath() }),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
    await page.goto(server.resolvedUrls!.local[0]);
    // A click before the history is read would be lost (tests/e2e/studio-helpers.ts waits the same way).
    await page.locator('[data-testid^=model-] input[type=radio]:checked').waitFor({ timeout: 120_000 });
    await page
      .getByTestId('history-count')
      .filter({ hasNotText: /Reading/ })
      .waitFor({ state: 'attached', timeout: 120_000 });
    const run = page.getByTestId('compress-run');
    await run.click();
    // The run has started once the progress bar shows; it has ended once the after-accuracy does.
    await page.getByRole('progressbar', { name: 'Job progress' }).waitFor({ timeout: 60_000 });
    await page
      .getByTestId('compress-after-accuracy')
      .filter({ hasText: /%$/ })
      .waitFor({ timeout: Number(flag('timeout-s', '300')) * 1000 });
    await page.waitForFunction(() => !document.querySelector('[role=progressbar]'), null, { timeout: 60_000 });
    // Charts animate in; let them settle before the picture.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } catch (e) {
    // What the page showed when it failed, for the one who reruns it.
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await pages[0].screenshot({ path: resolve(ROOT, '.cache/screenshot-failed.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
