import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { BaselineIndex } from '../../src/engine/types';
import { openTab } from './studio-helpers';

const index = JSON.parse(readFileSync('public/models/index.json', 'utf8')) as BaselineIndex;

// The cancelled try is on MNIST's 10,000 test images (long enough to cancel on any machine); the
// whole evaluation on CIFAR-10's 1,000 exact records, a seventh of MNIST's multiply-adds, with
// the same path through the worker.
test('evaluates the custom CNN on CIFAR-10 in the worker and matches index.json, after a cancelled first try on MNIST', async ({ page }) => {
  const entry = index.models.find((m) => m.id === 'custom-cnn-cifar10')!;
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?v=1'); // links of v=1 keep the magnitude recipe, whose live picture costs nothing
  await page.getByTestId('model-custom-cnn-mnist').click();
  await openTab(page, 'evaluate');
  // The datasets arrive as the .gz files they are (vite.config.ts gzipAsFile), not inflated by the
  // browser on every read: the engine inflates only the records a job needs.
  const served = await page.evaluate(async () => {
    const r = await fetch('/data/mnist/t10k-labels-idx1-ubyte.gz');
    return { encoding: r.headers.get('content-encoding'), head: [...new Uint8Array(await r.arrayBuffer()).subarray(0, 2)] };
  });
  expect(served).toEqual({ encoding: null, head: [0x1f, 0x8b] });

  // Cancel mid-run first: the log keeps the stages up to the cancel, and the studio stays usable
  // (the full evaluation below is the proof).
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('stage')).toContainText('Evaluating', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert')).toContainText('Cancelled');
  const log = page.getByRole('region', { name: 'Evaluate' }).getByTestId('job-log');
  await expect(log.locator('[data-kind="evaluate"]')).toContainText(/^\+\d+\.\d s evaluate: [\d,]+ \/ 10,000 images \(\d+\.\d s\)$/);
  await expect(log.locator('[data-kind="cancelled"]')).toHaveText(/^\+\d+\.\d s cancelled: Cancelled; earlier results are kept\.$/);
  await expect(page.getByRole('button', { name: 'Evaluate' })).toBeEnabled();

  await page.getByTestId(`model-${entry.id}`).click();
  await page.getByRole('button', { name: 'Evaluate' }).click();

  // Progress appears while the worker runs, and the page keeps answering.
  await expect(page.getByRole('progressbar', { name: 'Job progress' })).toBeVisible();
  await expect(page.getByTestId('stage')).toContainText(/Evaluating|Loading|Starting|Measuring/);
  expect(await page.evaluate(() => 1 + 1)).toBe(2);

  await expect(page.getByTestId('result-accuracy')).toBeVisible({ timeout: 150_000 });
  const shown = parseFloat((await page.getByTestId('result-accuracy').innerText()).replace('%', ''));
  expect(Math.abs(shown - entry.testAccuracy * 100)).toBeLessThanOrEqual(0.5);
  await expect(page.getByTestId('result-backend')).toHaveText('wasm');
  await expect(page.getByTestId('provenance')).toContainText('1,000 images');
  await page.screenshot({ path: 'test-results/evaluate-custom-cnn-cifar10.png', fullPage: true });
  expect(pageErrors).toEqual([]);
});
