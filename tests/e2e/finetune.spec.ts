import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openTab } from './studio-helpers';

test('fine-tunes the custom CNN on wasm in the worker, showing images/s and time left', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?v=1'); // links of v=1 keep the magnitude recipe, whose live picture costs nothing
  await page.getByTestId('model-custom-cnn-mnist').click();
  await openTab(page, 'evaluate');
  await page.getByText('Fine-tune', { exact: true }).first().click();
  // The Evaluate panel's fine-tune controls (the train-from-scratch panel has a batch size too).
  const panel = page.getByRole('region', { name: 'Evaluate' });
  await panel.getByLabel('Training backend').selectOption('auto');
  await panel.getByLabel('Batch size').fill('32');
  await panel.getByLabel('Training images (0 = all)').fill('320');
  // The first 2,000 test records, before and after: the full 10,000 is evaluate-baseline.spec's job.
  await panel.getByLabel('Test images (0 = all)').fill('2000');
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  await expect(page.getByTestId('stage')).toContainText(/img\/s on wasm.*s left/, { timeout: 120_000 });
  await expect(page.getByTestId('finetune-result')).toBeVisible({ timeout: 170_000 });
  // Chromium here renders WebGL with SwiftShader, so 'auto' must have chosen wasm and said why.
  await expect(page.getByTestId('finetune-backend')).toHaveText('wasm');
  await expect(page.getByTestId('finetune-result')).toContainText('not hardware-accelerated');
  // The page is cross-origin isolated, so wasm trains on its threaded build, one thread per core.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(page.getByTestId('finetune-result')).toContainText(`with ${cores} thread${cores === 1 ? '' : 's'}`);
  const after = parseFloat((await page.getByTestId('finetune-after').innerText()).replace('%', ''));
  expect(after).toBeGreaterThan(97);
  await page.screenshot({ path: 'test-results/finetune-custom-cnn-mnist.png', fullPage: true });
  expect(pageErrors).toEqual([]);
});

// Cancel mid-run (Evaluate, then a full evaluation) is tested in evaluate-baseline.spec.ts.

test('the Fine-tune button takes an uploaded model', async ({ page }) => {
  test.setTimeout(120_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?v=1'); // links of v=1 keep the magnitude recipe, whose live picture costs nothing
  // The shipped custom CNN's files, uploaded as the user's own model for MNIST.
  const dir = 'public/models/custom-cnn-mnist';
  await openTab(page, 'upload');
  await page.getByTestId('upload-dataset').selectOption('mnist');
  await page.getByTestId('upload-input').setInputFiles(['model.json', 'weights.bin'].map((name) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(`${dir}/${name}`) })));
  await expect(page.getByTestId('upload-ok')).toContainText('Added “model (MNIST)”');
  await expect(page.locator('.user-model input[type=radio]')).toBeChecked();

  await openTab(page, 'evaluate');
  await page.getByText('Fine-tune', { exact: true }).first().click();
  const panel = page.getByRole('region', { name: 'Evaluate' });
  await panel.getByLabel('Training backend').selectOption('wasm');
  await panel.getByLabel('Batch size').fill('32');
  await panel.getByLabel('Training images (0 = all)').fill('320');
  // The first 2,000 test records, before and after: the full 10,000 is evaluate-baseline.spec's job.
  await panel.getByLabel('Test images (0 = all)').fill('2000');
  await panel.getByLabel('Test images (0 = all)').fill('300');
  await expect(panel.getByRole('button', { name: 'Fine-tune' })).toBeEnabled();
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  await expect(page.getByTestId('finetune-result')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('finetune-model')).toHaveText('model (MNIST)');
  // 320 images in batches of 32: 10 steps.
  await expect(page.getByTestId('finetune-steps')).toHaveText('10');
  // Before fine-tuning these are the shipped baseline's weights, which classify all of the first
  // 300 MNIST test records correctly (the compress job's "before" on them, e.g. in deploy.spec.ts).
  await expect(page.getByTestId('finetune-before')).toHaveText('100.00%');
  await expect(page.getByTestId('finetune-result')).toContainText('(300 test images)');
  expect(parseFloat((await page.getByTestId('finetune-after').innerText()).replace('%', ''))).toBeGreaterThan(97);
  // The job log of the Evaluate panel has the training line with its figures.
  await expect(panel.getByTestId('job-log').locator('[data-kind="train"]')).toContainText(/train: 10 steps, loss \d\.\d{3}, \d+ img\/s on wasm/);
  await expect(panel.getByTestId('job-log').locator('[data-kind="finished"]')).toContainText('10 steps, accuracy');
  expect(pageErrors).toEqual([]);
});
