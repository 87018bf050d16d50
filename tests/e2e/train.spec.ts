/**
 * Train from scratch (issue 4): an architecture with no shipped baseline, trained for a few steps
 * in the worker, is kept in IndexedDB, survives a reload and can then be compressed.
 */
import { expect, test } from '@playwright/test';
import { compressOnce, openTab, openWith, shot } from './studio-helpers';

test('a model trained from scratch survives a reload and can be compressed', async ({ page }) => {
  test.setTimeout(300_000);
  await openWith(page, '/?v=1&m=custom-cnn-mnist&sp=0.5&q=int8&cs=64&tl=64&el=200&lat=3');
  await openTab(page, 'train');
  const panel = page.getByTestId('train-panel');
  await panel.getByLabel('Dataset').selectOption('mnist');
  await panel.getByLabel('Architecture').selectOption('mobilenet-v1-0.25');
  await panel.getByLabel('Epochs').fill('1');
  await panel.getByLabel('Batch size').fill('32');
  await panel.getByLabel('Training images (blank = all)').fill('64');
  await panel.getByLabel('Stop after steps (blank = none)').fill('2');
  await panel.getByLabel('Test images to evaluate (blank = all)').fill('100');
  await panel.getByLabel('Backend for training').selectOption('wasm');
  await panel.getByTestId('train-run').click();
  await expect(panel.getByTestId('train-result')).toContainText(/on 100 test\s+images after 2 steps/, { timeout: 200_000 });
  const mine = page.locator('.user-model');
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('trained here');
  await expect(mine.locator('input[type=radio]')).toBeChecked();
  await panel.screenshot({ path: shot('train-panel.png') });

  await page.reload();
  await expect(page.locator('.user-model')).toHaveCount(1);
  await expect(page.locator('.user-model input[type=radio]')).toBeChecked();
  // The selected model's details sit under the row of model tiles.
  await expect(page.getByTestId('model-details')).toContainText('on 100 test images');
  await compressOnce(page, 1);
  await expect(page.getByTestId('history-row').first()).toContainText('mobilenet-v1-0.25 on MNIST, trained here');
  await expect(page.getByTestId('compress-summary')).toContainText('200 images');
});
