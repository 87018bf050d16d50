/**
 * Sparsity sweep and the gallery of flipped predictions (issue 4): one click runs each sparsity
 * through the compression job in turn and plots accuracy and size against sparsity; the test
 * images whose prediction changed are shown with their labels.
 */
import { expect, test } from '@playwright/test';
import { FAST, link, openTab, openWith, shot } from './studio-helpers';

test('a sweep runs each sparsity in turn and plots accuracy and size against sparsity', async ({ page }) => {
  test.setTimeout(300_000);
  await openWith(page, link({ ...FAST, el: '200' }));
  await openTab(page, 'sweep');
  const sweep = page.getByTestId('sweep');
  await sweep.getByTestId('sweep-input').fill('0.3, abc');
  await expect(sweep.getByTestId('sweep-status')).toContainText('"abc" is not a sparsity');
  await expect(sweep.getByTestId('sweep-run')).toBeDisabled();
  await sweep.getByTestId('sweep-input').fill('30%, 0.6, 0.9');
  await sweep.getByTestId('sweep-run').click();
  await expect(sweep.getByTestId('sweep-status')).toContainText(/Running [12] of 3/);
  await expect(sweep.getByTestId('sweep-status')).toHaveText('Done: 3 runs, each also in the run history.', { timeout: 240_000 });

  const chart = page.getByTestId('chart-sweep');
  await expect(chart.locator('.recharts-line')).toHaveCount(3);
  await expect(chart.locator('.recharts-line-dot')).toHaveCount(9);
  await expect(chart).toContainText('per-layer + int8');
  await expect(page.getByTestId('history-row')).toHaveCount(3);
  await expect(page.getByTestId('history-row').first()).toContainText('sweep 90%');
  await sweep.screenshot({ path: shot('sweep-panel.png') });
  await openTab(page, 'history');
  await expect(page.getByTestId('chart-pareto').locator('.recharts-scatter-symbol')).toHaveCount(3);

  // The last run (90%) flipped many predictions: the gallery shows the first 64 with their labels.
  await openTab(page, 'flipped');
  const count = page.getByTestId('gallery-count');
  await expect(count).toContainText(/flipped predictions/);
  const text = await count.innerText();
  const shown = /^All (\d+)/.exec(text)?.[1] ?? /^The first (\d+)/.exec(text)?.[1];
  expect(Number(shown)).toBeGreaterThan(0);
  expect(Number(shown)).toBeLessThanOrEqual(64);
  await expect(page.getByTestId('gallery-item')).toHaveCount(Number(shown));
  await expect(page.getByTestId('gallery-item').first().locator('canvas')).toHaveAttribute('width', '28');
  await expect(page.getByTestId('gallery-item').first().locator('canvas')).toHaveAttribute('aria-label', /Test image \d+: true \d, predicted \d before and \d after/);
  const painted = await page
    .getByTestId('gallery-item')
    .first()
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 0) lit++;
      return lit;
    });
  expect(painted).toBeGreaterThan(20);
  await page.getByTestId('gallery').screenshot({ path: shot('gallery.png') });
});

test('a sweep needs a pruning method with a sparsity, and can be cancelled', async ({ page }) => {
  test.setTimeout(200_000);
  await openWith(page, link({ ...FAST, pm: 'nm', tab: 'sweep' }));
  const sweep = page.getByTestId('sweep');
  await sweep.getByTestId('sweep-run').click();
  await expect(sweep.getByTestId('sweep-status')).toContainText('choose unstructured (per layer or global) or structured pruning');
  const panel = page.getByTestId('compress-panel');
  await panel.getByLabel('Pruning method').selectOption({ label: 'Unstructured, global' });
  await panel.getByLabel('Test images (blank = all)').fill('');
  await sweep.getByTestId('sweep-input').fill('0.5, 0.7');
  await sweep.getByTestId('sweep-run').click();
  await expect(page.getByTestId('compress-panel').getByTestId('stage')).toContainText('Evaluating the baseline', { timeout: 60_000 });
  await sweep.getByTestId('sweep-cancel').click();
  await expect(sweep.getByTestId('sweep-status')).toHaveText('Cancelled after 0 of 2 sparsities.');
  await expect(page.getByTestId('compress-run')).toBeEnabled();
  await expect(page.getByTestId('history-row')).toHaveCount(0);
});
