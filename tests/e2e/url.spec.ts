/**
 * Settings in the URL (issue 4): editing the controls rewrites the link, and opening the link in a
 * fresh page restores them (the Deploy choices too); run=1 runs at once; lecture=1 (and the toggle) enlarges the type and
 * hides the advanced controls, readable at 1280x720; a link the studio cannot fully read says so.
 */
import { expect, test } from '@playwright/test';
import { FAST, link, openWith, shot } from './studio-helpers';

test('a URL round-trip restores the settings', async ({ page, context }) => {
  // Today's link version, so the link written back holds only what the test changed.
  await openWith(page, link({ v: '2', m: 'custom-cnn-mnist' }));
  const panel = page.getByTestId('compress-panel');
  await panel.getByLabel('Pruning method').selectOption({ label: 'Structured (whole filters)' });
  await panel.getByLabel('Filter ranking (structured)').selectOption('l2');
  await panel.getByLabel('Sparsity', { exact: true }).fill('0.7');
  await panel.getByLabel('Epochs (0 = none)').fill('2');
  await panel.getByLabel('Optimizer').selectOption('adam');
  await panel.getByLabel('Format').selectOption('float16');
  await panel.getByLabel('Test images (blank = all)').fill('250');
  await panel.getByLabel('Backend').selectOption('wasm');
  await panel.getByText('Per-layer sparsity').click();
  const layer = (await panel.locator('[data-testid^="override-"]').first().getAttribute('data-testid'))!.slice('override-'.length);
  await panel.getByTestId(`override-${layer}`).fill('0.35');

  await expect(page).toHaveURL(/pm=st/);
  const url = new URL(page.url());
  expect(Object.fromEntries(url.searchParams)).toEqual({ v: '2', m: 'custom-cnn-mnist', be: 'wasm', pm: 'st', sp: '0.7', cr: 'l2', ov: `${layer}:0.35`, ep: '2', opt: 'adam', q: 'f16', el: '250' });

  const fresh = await context.newPage();
  await openWith(fresh, url.pathname + url.search);
  const p2 = fresh.getByTestId('compress-panel');
  await expect(p2.getByLabel('Pruning method')).toHaveValue('structured');
  await expect(p2.getByLabel('Filter ranking (structured)')).toHaveValue('l2');
  await expect(p2.getByTestId('prune-sparsity-value')).toHaveText('70%');
  await expect(p2.getByLabel('Epochs (0 = none)')).toHaveValue('2');
  await expect(p2.getByLabel('Optimizer')).toHaveValue('adam');
  await expect(p2.getByLabel('Format')).toHaveValue('float16');
  await expect(p2.getByLabel('Test images (blank = all)')).toHaveValue('250');
  await expect(p2.getByLabel('Backend')).toHaveValue('wasm');
  await p2.getByText('Per-layer sparsity').click();
  await expect(p2.getByTestId(`override-${layer}`)).toHaveValue('0.35');
  expect(fresh.url()).toBe(page.url());
});

test('the Deploy choices go into the link and come back from it', async ({ page, context }) => {
  await openWith(page, link({ v: '2', m: 'custom-cnn-mnist', q: 'int8' }));
  const option = page.getByTestId('tflite-option');
  await option.getByTestId('tflite-enabled').check();
  await option.getByTestId('tflite-io').selectOption('int8');
  await expect(page).toHaveURL(/io=i8/);
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ v: '2', m: 'custom-cnn-mnist', tfl: '1', io: 'i8' });

  // A link with a board (the fit check shows with a run's files; its choice is restored with the rest).
  const url = new URL(page.url());
  url.searchParams.set('bd', 'custom');
  url.searchParams.set('ram', '48');
  url.searchParams.set('fl', '768');
  const fresh = await context.newPage();
  await openWith(fresh, url.pathname + url.search);
  await expect(fresh.getByTestId('tflite-enabled')).toBeChecked();
  await expect(fresh.getByTestId('tflite-io')).toHaveValue('int8');
  expect(Object.fromEntries(new URL(fresh.url()).searchParams)).toEqual({ v: '2', m: 'custom-cnn-mnist', tfl: '1', io: 'i8', bd: 'custom', ram: '48', fl: '768' });
  // Unticking writes the default back (nothing in the link).
  await fresh.getByTestId('tflite-enabled').uncheck();
  await expect(fresh).not.toHaveURL(/tfl=/);
});

test('run=1 runs the linked settings at once, and only once', async ({ page }) => {
  test.setTimeout(200_000);
  await page.goto(link({ ...FAST, sp: '0.4', run: '1' }));
  await expect(page.getByTestId('history-row')).toHaveCount(1, { timeout: 150_000 });
  await expect(page.getByTestId('history-row').first()).toContainText('per-layer 40% + int8');
  expect(new URL(page.url()).searchParams.get('run')).toBeNull();
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByRole('progressbar')).toHaveCount(0);
});

test('lecture mode: larger type, advanced controls hidden, readable at 1280x720', async ({ page }) => {
  test.setTimeout(200_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openWith(page, link({ ...FAST, lecture: '1' }));
  await expect(page.locator('html')).toHaveClass(/lecture/);
  const panel = page.getByTestId('compress-panel');
  await expect(panel.getByLabel('Pruning method')).toBeVisible();
  await expect(panel.getByLabel('Sparsity', { exact: true })).toBeVisible();
  await expect(panel.getByLabel('Format')).toBeVisible();
  await expect(panel.getByLabel('Learning rate')).toBeHidden();
  await expect(panel.getByLabel('Calibration samples')).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Evaluate' })).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Model zoo' })).toBeHidden();
  const fontPx = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.field label')!).fontSize));
  expect(fontPx).toBeGreaterThanOrEqual(17);
  await page.screenshot({ path: shot('lecture-1280x720-top.png') });
  await page.getByTestId('compress-run').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1, { timeout: 150_000 });
  // The job log stays a fixed box with readable type on the projector.
  const log = page.getByTestId('compress-panel').getByTestId('job-log');
  await expect(log.locator('[data-kind="finished"]')).toBeVisible();
  expect(await log.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(15);
  await page
    .getByTestId('compress-panel')
    .locator('.run-bar')
    .screenshot({ path: shot('lecture-job-log.png') });
  await page.evaluate(() => document.getElementById('compress-res-h')!.scrollIntoView());
  await page.mouse.move(1270, 5);
  await page.screenshot({ path: shot('lecture-1280x720-results.png') });
  // Nothing runs off the side of the projector.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

  await page.getByTestId('lecture-toggle').uncheck();
  await expect(page.locator('html')).not.toHaveClass(/lecture/);
  await expect(panel.getByLabel('Learning rate')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('lecture')).toBeNull();
});

test('a link the studio cannot fully read says so and keeps working', async ({ page }) => {
  await openWith(page, '/?v=1&m=custom-cnn-mnist&sp=abc&q=f16&zz=1');
  await expect(page.getByTestId('notice-url')).toContainText('values for sp, zz could not be read');
  await expect(page.getByLabel('Format')).toHaveValue('float16');
  await expect(page.getByTestId('prune-sparsity-value')).toHaveText('50%');

  await page.goto('/?v=7&sp=0.9');
  await expect(page.getByTestId('notice-url')).toContainText('newer version of the studio (v7)');
  // Today's default, not the link's 90%.
  await expect(page.getByTestId('prune-sparsity-value')).toHaveText('80%');

  await page.goto('/?v=1&m=upload-abc123&sp=0.6');
  await expect(page.getByTestId('notice-url-model')).toContainText('“upload-abc123”, which is not in this studio');
  await expect(page.locator('input[name=model]:checked')).toHaveCount(1);
  await expect(page.getByTestId('prune-sparsity-value')).toHaveText('60%');
});
