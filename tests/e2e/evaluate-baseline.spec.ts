import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { BaselineIndex } from '../../src/engine/types';

const index = JSON.parse(readFileSync('public/models/index.json', 'utf8')) as BaselineIndex;

test('evaluates the custom CNN on MNIST in the worker and matches index.json', async ({ page }) => {
  const entry = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('model-custom-cnn-mnist').click();
  await page.getByRole('button', { name: 'Evaluate' }).click();

  // Progress appears while the worker runs, and the page keeps answering.
  await expect(page.getByRole('progressbar', { name: 'Job progress' })).toBeVisible();
  await expect(page.getByTestId('stage')).toContainText(/Evaluating|Loading|Starting|Measuring/);
  expect(await page.evaluate(() => 1 + 1)).toBe(2);

  await expect(page.getByTestId('result-accuracy')).toBeVisible({ timeout: 150_000 });
  const shown = parseFloat((await page.getByTestId('result-accuracy').innerText()).replace('%', ''));
  expect(Math.abs(shown - entry.testAccuracy * 100)).toBeLessThanOrEqual(0.5);
  await expect(page.getByTestId('result-backend')).toHaveText('wasm');
  await expect(page.getByTestId('provenance')).toContainText('10,000 images');
  await page.screenshot({ path: 'test-results/evaluate-custom-cnn-mnist.png', fullPage: true });
  expect(pageErrors).toEqual([]);
});
