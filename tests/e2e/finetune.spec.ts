import { expect, test } from '@playwright/test';

test('fine-tunes the custom CNN on wasm in the worker, showing images/s and time left', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/');
  await page.getByTestId('model-custom-cnn-mnist').click();
  await page.getByText('Fine-tune', { exact: true }).first().click();
  // The Evaluate panel's fine-tune controls (the train-from-scratch panel has a batch size too).
  const panel = page.getByRole('region', { name: 'Evaluate' });
  await panel.getByLabel('Training backend').selectOption('auto');
  await panel.getByLabel('Batch size').fill('32');
  await panel.getByLabel('Training images (0 = all)').fill('320');
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  await expect(page.getByTestId('stage')).toContainText(/img\/s on wasm.*s left/, { timeout: 120_000 });
  await expect(page.getByTestId('finetune-result')).toBeVisible({ timeout: 170_000 });
  // Chromium here renders WebGL with SwiftShader, so 'auto' must have chosen wasm and said why.
  await expect(page.getByTestId('finetune-backend')).toHaveText('wasm');
  await expect(page.getByTestId('finetune-result')).toContainText('not hardware-accelerated');
  const after = parseFloat((await page.getByTestId('finetune-after').innerText()).replace('%', ''));
  expect(after).toBeGreaterThan(97);
  await page.screenshot({ path: 'test-results/finetune-custom-cnn-mnist.png', fullPage: true });
  expect(pageErrors).toEqual([]);
});

test('cancel mid-run keeps the studio usable', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('model-custom-cnn-mnist').click();
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('stage')).toContainText('Evaluating', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert')).toContainText('Cancelled');
  await expect(page.getByRole('button', { name: 'Evaluate' })).toBeEnabled();
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('result-accuracy')).toBeVisible({ timeout: 150_000 });
});
