/**
 * "Reproduce the study" (issue 6): one keyboard-reachable button queues the study's four methods on
 * the chosen models, runs them one after another with progress, and shows the published figures
 * beside ours; each configuration also lands in the run history. Tiny settings keep it short: one
 * model, 100 test images, 2 fine-tuning steps.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { link, openTab, openWith, shot } from './studio-helpers';

interface Report {
  format: string;
  params: number;
  nonZeroParams: number;
  metrics: { accuracy: number };
  size: { float32Bytes: number; deployedBytes: number; gzipInt8Bytes: number; gzipFloat32Bytes: number };
}
interface StoredRun {
  name: string;
  origin: string;
  modelId: string;
  settings: { prune: { method: string }; quant: { mode: string } };
  result: { backend: string; testRecords: { first: number; count: number }; before: Report; after: Report };
}

/** The figures the table should show, computed here from the stored result (not by the studio's code). */
function expected(r: StoredRun) {
  const a = r.result.after;
  const zeros = a.nonZeroParams < a.params;
  const bytes = zeros ? (a.format === 'int8' ? a.size.gzipInt8Bytes : a.size.gzipFloat32Bytes) : a.size.deployedBytes;
  const size = `${((1 - bytes / r.result.before.size.float32Bytes) * 100).toFixed(2)}%`;
  const d = (a.metrics.accuracy - r.result.before.metrics.accuracy) * 100;
  const accuracy = `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(2)} pts`;
  const pruned = r.settings.prune.method !== 'none';
  const int8 = r.settings.quant.mode === 'int8';
  const method = pruned && int8 ? 'pruning-int8' : pruned ? 'pruning' : int8 ? 'int8' : 'baseline';
  return { key: `${r.modelId}/${method}`, size, accuracy, basis: zeros ? 'gzip’d (zeros)' : `dense ${a.format}` };
}

test('the study preset runs each configuration in turn and shows published and measured figures', async ({ page }) => {
  test.setTimeout(150_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link({ m: 'custom-cnn-mnist', tab: 'study' }));
  const study = page.getByTestId('study');
  await expect(study.getByTestId('study-model-custom-cnn-mnist')).toBeChecked();
  await expect(study.getByTestId('study-model-mobilenet-v1-0.5-cifar10')).toBeChecked();
  await expect(study.getByTestId('study-settings')).toContainText('the first 500 of each model’s exact test records; global magnitude pruning to 50% (first and last layer dense), 10 fine-tuning steps of 64 training images');

  // Tiny settings, by keyboard: one model, 100 test images, 2 fine-tuning steps.
  await study.getByTestId('study-model-mobilenet-v1-0.5-cifar10').focus();
  await page.keyboard.press('Space');
  await expect(study.getByTestId('study-model-mobilenet-v1-0.5-cifar10')).not.toBeChecked();
  await study.getByTestId('study-eval-limit').fill('100');
  await study.getByTestId('study-steps').fill('0');
  await study.getByTestId('study-steps').fill('');
  await expect(study.getByTestId('study-status')).toContainText('Fine-tuning steps: use a whole number');
  await expect(study.getByTestId('study-run')).toBeDisabled();
  await study.getByTestId('study-steps').fill('2');
  await expect(study.getByTestId('study-settings')).toContainText('the first 100 of each model’s exact test records; global magnitude pruning to 50% (first and last layer dense), 2 fine-tuning steps of 64 training images');

  await study.getByTestId('study-run').focus();
  await page.keyboard.press('Enter');
  await expect(study.getByTestId('study-status')).toHaveText(/^[1-4] of 4: custom CNN · MNIST, /);
  await expect(study.getByTestId('stage')).toBeVisible();
  await expect(study.getByTestId('study-row')).toHaveCount(4);
  await expect(study.getByTestId('study-status')).toHaveText('4 of 4: custom CNN · MNIST, prune 50% + INT8', { timeout: 120_000 });
  await expect(study.getByTestId('study-row').nth(3).getByTestId('your-size')).toHaveText('running…');
  await expect(study.getByTestId('study-row').first().getByTestId('your-size')).toHaveText(/^0\.00%/);
  await expect(study.getByTestId('study-status')).toHaveText('Done: 4 configurations, each also in the run history.', { timeout: 120_000 });

  // Every configuration is in the history; the table's figures are those of the stored results.
  await expect(page.getByTestId('history-row')).toHaveCount(4);
  await expect(page.getByTestId('history-row').first()).toContainText('study 4/4 · custom CNN · MNIST, prune 50% + INT8');
  await openTab(page, 'history');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  await openTab(page, 'study');
  const runs = (JSON.parse((await readFile(await dl.path())).toString('utf8')) as { runs: StoredRun[] }).runs;
  expect(runs.map((r) => r.origin)).toEqual(['study', 'study', 'study', 'study']);
  const seen = new Set<string>();
  for (const r of runs) {
    const e = expected(r);
    seen.add(e.key);
    const row = study.locator(`[data-testid="study-row"][data-key="${e.key}"]`);
    await expect(row.getByTestId('your-size')).toHaveText(`${e.size}${e.basis}`);
    await expect(row.getByTestId('your-accuracy')).toContainText(e.accuracy);
    expect(r.result.testRecords).toEqual({ first: 0, count: 100 });
    await expect(row.getByTestId('study-provenance')).toContainText(`Yours: MNIST test records 0-99 (100 of 10,000, exact images); tfjs ${r.result.backend}`);
  }
  expect([...seen].sort()).toEqual(['custom-cnn-mnist/baseline', 'custom-cnn-mnist/int8', 'custom-cnn-mnist/pruning', 'custom-cnn-mnist/pruning-int8']);
  // The study published one figure among these: the custom CNN with pruning + INT8.
  const both = study.locator('[data-testid="study-row"][data-key="custom-cnn-mnist/pruning-int8"]');
  await expect(both.getByTestId('published-size')).toHaveText('94.38%');
  await expect(both.getByTestId('published-accuracy')).toHaveText('retained*');
  await expect(both.getByTestId('study-provenance')).toContainText('Published: the study: its own custom CNN on its own dataset; ours: custom CNN on MNIST.');
  await expect(study.locator('[data-testid="study-row"][data-key="custom-cnn-mnist/int8"]').getByTestId('published-size')).toHaveText('—');
  await study.screenshot({ path: shot('study-panel.png') });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('lecture-toggle').check();
  await expect(study.getByTestId('study-run')).toBeVisible();
  await study.screenshot({ path: shot('study-lecture.png') });
  await page.getByTestId('lecture-toggle').uncheck();
  await page.setViewportSize({ width: 1280, height: 900 });
  // Size chart: the 1 published bar, and 3 of ours (the baseline's 0% draws no bar).
  const series = page.getByTestId('chart-study-size').locator('.recharts-bar');
  await expect(series).toHaveCount(2);
  await expect(series.nth(0).locator('.recharts-bar-rectangle')).toHaveCount(1);
  await expect(series.nth(1).locator('.recharts-bar-rectangle')).toHaveCount(3);

  // Cancel stops the queue and says how far it got.
  await study.getByTestId('study-run').click();
  await expect(study.getByTestId('stage')).toBeVisible();
  await study.getByTestId('study-cancel').click();
  await expect(study.getByTestId('study-status')).toHaveText('Cancelled after 0 of 4 configurations; the finished ones stay below and in the run history.');
  await expect(study.getByTestId('study-run')).toBeEnabled();
  await expect(page.getByTestId('history-row')).toHaveCount(4);
  expect(pageErrors).toEqual([]);
});
