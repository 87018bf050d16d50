/**
 * The compression studio end to end: custom CNN on MNIST, 50% per-layer pruning + full-integer
 * INT8, against the CLI's JSON for the same settings; a bad setting named next to its control;
 * cancel mid-run keeping earlier results and the studio usable.
 */
import { execFileSync } from 'node:child_process';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { CompressResult } from '../../src/engine/jobs/compress';
import { openTab } from './studio-helpers';

/** The engine's answer for the settings the UI test uses (latency runs differ; they change no accuracy). */
function cliCompress(): CompressResult {
  const args = ['run', '-s', 'cli', '--', 'compress', '--model', 'custom-cnn-mnist', '--prune', '0.5', '--prune-method', 'per-layer', '--quant', 'int8', '--limit', '500', '--calibration-samples', '100', '--latency-runs', '3', '--json'];
  const out = execFileSync('npm', args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 170_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as CompressResult;
}

const percent = async (l: Locator) => parseFloat((await l.innerText()).replace('%', ''));

async function openStudio(page: Page): Promise<Locator> {
  await page.goto('/');
  await page.getByTestId('model-custom-cnn-mnist').click();
  return page.getByTestId('compress-panel');
}

test('compresses the custom CNN on MNIST (50% per-layer + INT8) and shows what the engine computes', async ({ page }) => {
  test.setTimeout(360_000);
  const expected = cliCompress();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const panel = await openStudio(page);
  await page.screenshot({ path: 'test-results/compress-empty.png', fullPage: true });
  // Where the stages table, below the cards and charts of the All figures tab, starts on the page.
  const belowY = () => page.evaluate(() => document.querySelector('[data-testid="stages-table"]')!.getBoundingClientRect().top + window.scrollY);
  const yBefore = await belowY();

  await panel.getByLabel('Pruning method').selectOption({ label: 'Unstructured, per layer' });
  await panel.getByLabel('Sparsity', { exact: true }).fill('0.5');
  await expect(panel.getByTestId('prune-sparsity-value')).toHaveText('50%');
  await panel.getByLabel('Epochs (0 = none)').fill('0');
  await panel.getByLabel('Format').selectOption('int8');
  await panel.getByLabel('Calibration samples').fill('100');
  await panel.getByLabel('Test images (blank = all)').fill('500');
  await panel.getByRole('button', { name: 'Compress' }).click();

  // Progress: the stage, its place in the job and its step count; the page keeps answering.
  await expect(panel.getByRole('progressbar', { name: 'Job progress' })).toBeVisible();
  await expect(panel.getByTestId('stage')).toContainText(/Stage \d+ of 10/);
  expect(await page.evaluate(() => 1 + 1)).toBe(2);
  await panel.screenshot({ path: 'test-results/compress-progress-panel.png' });

  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/, { timeout: 240_000 });
  await expect(panel.getByRole('progressbar')).toHaveCount(0);

  // The figures on screen are the engine's for the same settings.
  const shownAfter = await percent(page.getByTestId('compress-after-accuracy'));
  const shownBefore = await percent(page.getByTestId('compress-before-accuracy'));
  expect(Math.abs(shownAfter - expected.after.metrics.accuracy * 100)).toBeLessThanOrEqual(0.2);
  expect(Math.abs(shownBefore - expected.before.metrics.accuracy * 100)).toBeLessThanOrEqual(0.2);
  expect(Math.abs((await percent(page.getByTestId('compress-after-recall'))) - expected.after.metrics.macroRecall * 100)).toBeLessThanOrEqual(0.2);
  await expect(page.getByTestId('compress-size-after')).toHaveText(`${(expected.after.size.deployedBytes / 1e3).toFixed(1)} kB`);
  await expect(page.getByTestId('compress-size-before')).toHaveText(`${(expected.before.size.deployedBytes / 1e3).toFixed(1)} kB`);
  await expect(page.getByTestId('compress-change-size')).toHaveText(/^−\d+\.\d%$/);
  await expect(page.getByTestId('compress-backend-ran')).toHaveText('wasm');
  await expect(page.getByTestId('compress-note-latency')).toContainText('no int8 kernels');
  await expect(page.getByTestId('compress-summary')).toContainText('500 images');

  // Every chart draws its data points.
  await expect(page.getByTestId('chart-size').locator('.recharts-bar-rectangle')).toHaveCount(6);
  await expect(page.getByTestId('chart-accuracy').locator('.recharts-bar-rectangle')).toHaveCount(4);
  await expect(page.getByTestId('chart-latency').locator('.recharts-bar-rectangle')).toHaveCount(4);
  await openTab(page, 'layers');
  // One sparsity bar per pruned layer (the spared first and last draw none at 0%).
  await expect(page.getByTestId('chart-layers').locator('.recharts-bar-rectangle')).toHaveCount(expected.layers.filter((l) => l.sparsity > 0).length);
  await expect(page.getByTestId('chart-layers').locator('.recharts-line-curve')).toHaveCount(2);
  const bins = expected.layers[0].histogram;
  const nonEmptyBins = bins.before.filter((c) => c > 0).length + bins.after.filter((c) => c > 0).length;
  expect(await page.getByTestId('chart-histogram').locator('.recharts-bar-rectangle path, .recharts-bar-rectangle rect').count()).toBeGreaterThanOrEqual(nonEmptyBins - 2);
  await openTab(page, 'confusion');
  const classes = expected.before.metrics.confusion.length;
  await expect(page.getByTestId('confusion-diff').locator('tbody td')).toHaveCount(classes * classes);
  const diagonal = await page.getByTestId('confusion-after').locator('tbody tr').first().locator('td').first().innerText();
  expect(Number(diagonal)).toBe(expected.after.metrics.confusion[0][0]);
  await expect(page.getByTestId('stage-row-prune')).toContainText('unstructured per layer 50%');
  await expect(page.getByTestId('stage-row-quantize')).toContainText('minmax calibration on 100 training images');

  // Picking another layer redraws its histogram.
  await openTab(page, 'layers');
  await page.getByTestId('layer-table').getByRole('button', { name: expected.layers[2].name }).click();
  await expect(page.getByTestId('chart-histogram')).toContainText(`Weights of ${expected.layers[2].name}`);

  await openTab(page, 'details');
  await page.screenshot({ path: 'test-results/compress-results.png', fullPage: true });
  await page.getByTestId('compress-results').screenshot({ path: 'test-results/compress-results-panel.png' });
  // Nothing below the results moved when they arrived.
  expect(await belowY()).toBe(yBefore);

  // A bad setting is named next to its control, and the earlier result stays.
  const samples = panel.getByLabel('Calibration samples');
  await samples.fill('0');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(samples).toHaveAttribute('aria-invalid', 'true');
  await expect(samples).toHaveAccessibleDescription(/whole number of at least 1 \(got 0\)/);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(`${shownAfter.toFixed(2)}%`);
  await panel.screenshot({ path: 'test-results/compress-bad-setting-panel.png' });
  await samples.fill('100');
  await expect(samples).not.toHaveAttribute('aria-invalid', 'true');

  // A per-layer override out of range is named next to that layer's box.
  await panel.getByText('Per-layer sparsity').click();
  const override = panel.getByTestId(`override-${expected.layers[0].name}`);
  await override.fill('1.5');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(override).toHaveAccessibleDescription(/between 0 and 1 \(got 1\.5\)/i);
  await expect(panel.getByTestId('overrides')).toContainText('1 layer set');
  await panel.screenshot({ path: 'test-results/compress-override-error-panel.png' });
  await override.fill('');
  await expect(override).not.toHaveAttribute('aria-invalid', 'true');

  const lr = panel.getByLabel('Learning rate');
  await panel.getByLabel('Epochs (0 = none)').fill('1');
  await lr.fill('0');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(lr).toHaveAccessibleDescription(/must be positive/i);
  await expect(panel.getByTestId('field-error')).toHaveCount(1);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(`${shownAfter.toFixed(2)}%`);
  expect(pageErrors).toEqual([]);
});

test('cancel mid-run keeps the earlier result and leaves the studio usable', async ({ page }) => {
  test.setTimeout(300_000);
  const panel = await openStudio(page);
  // A quick first run: 2:4 pruning, float32, 300 test images.
  await panel.getByLabel('Pruning method').selectOption({ label: '2:4 semi-structured' });
  await expect(panel.getByLabel('Sparsity', { exact: true })).toBeDisabled();
  await panel.getByLabel('Format').selectOption('none');
  await panel.getByLabel('Test images (blank = all)').fill('300');
  await panel.getByLabel('Latency runs (batch 1)').fill('5');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/, { timeout: 200_000 });
  const first = await page.getByTestId('compress-after-accuracy').innerText();
  await expect(page.getByTestId('stage-row-prune')).toContainText('N:M 2:4');
  // The layer chart is drawn (its bars), with no SQNR lines for a float32 model.
  await openTab(page, 'layers');
  await expect(page.getByTestId('chart-layers').locator('.recharts-bar-rectangle')).not.toHaveCount(0);
  await expect(page.getByTestId('chart-layers').locator('.recharts-line-curve')).toHaveCount(0);

  // A long run (all 10,000 test images), cancelled while it evaluates the baseline.
  await panel.getByLabel('Test images (blank = all)').fill('');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(panel.getByTestId('stage')).toContainText('Evaluating the baseline', { timeout: 60_000 });
  await expect(page.getByTestId('compress-stale')).toBeVisible();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByTestId('compress-error')).toContainText('Cancelled');
  await expect(panel.getByRole('button', { name: 'Compress' })).toBeEnabled();
  await openTab(page, 'evaluate');
  await expect(page.getByRole('button', { name: 'Evaluate' })).toBeEnabled();
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(first);
  await expect(page.getByTestId('compress-stale')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/compress-cancelled.png', fullPage: true });

  // And the studio runs the next job: 2:4 with a short fine-tune, whose progress shows images/s and time left.
  await panel.getByLabel('Test images (blank = all)').fill('200');
  await panel.getByLabel('Epochs (0 = none)').fill('1');
  await panel.getByLabel('Images per step (batch)').fill('32');
  await panel.getByLabel('Training images (blank = all)').fill('320');
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(panel.getByTestId('stage')).toContainText(/Training — \d+ \/ \d+ — \d+ img\/s on wasm — loss [\d.]+ — about \d+ s left/, { timeout: 120_000 });
  await panel.screenshot({ path: 'test-results/compress-training-panel.png' });
  await expect(page.getByTestId('compress-summary')).toContainText('200 images', { timeout: 200_000 });
  await expect(page.getByTestId('stage-row-finetune')).toContainText(/batch 32, .*: \d+ steps at \d+ img\/s on wasm/);
});
