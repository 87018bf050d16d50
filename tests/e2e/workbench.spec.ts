/**
 * The workbench (issue 19): the main loop fits one screen at 1280x720 and 1920x1080 (model picker,
 * main knobs, Compress and the headline figures inside the viewport, checked by bounding box),
 * every tab reopens from its URL, the live picture follows the recipe and a labelled preview the
 * slider, and the worker measures the unchanged model ahead. The lecture tour (lecture-tour.spec.ts)
 * and the accessibility checks (accessibility.spec.ts) are files of their own, named so that they,
 * the suite's two longest tests, start early rather than last.
 */
import { expect, test, type Page } from '@playwright/test';
import { TAB_IDS } from '../../src/state/ui-slice';
import { compressOnce, FAST, inViewport, link, openWith, shot } from './studio-helpers';

/** The main loop's parts, each inside the viewport without scrolling. */
async function mainLoopOnScreen(page: Page): Promise<void> {
  expect(await page.evaluate(() => [window.scrollX, window.scrollY])).toEqual([0, 0]);
  await inViewport(page, page.getByTestId(`model-${FAST.m}`), 'selected model tile');
  await inViewport(page, page.locator('[data-testid^="model-"]').last(), 'last model tile');
  await inViewport(page, page.getByTestId('model-details'), 'model details');
  await inViewport(page, page.getByLabel('Pruning method'), 'pruning method');
  await inViewport(page, page.getByLabel('Sparsity', { exact: true }), 'sparsity slider');
  await inViewport(page, page.getByLabel('Format'), 'quantization format');
  await inViewport(page, page.getByLabel('Weight scales'), 'weight scales');
  await inViewport(page, page.getByTestId('compress-run'), 'Compress');
  for (const id of ['compress-size-before', 'compress-size-after', 'compress-before-accuracy', 'compress-after-accuracy', 'compress-before-latency', 'compress-after-latency']) await inViewport(page, page.getByTestId(id), id);
  await inViewport(page, page.getByTestId('chart-size'), 'size chart');
  await inViewport(page, page.getByRole('tab', { name: 'History' }), 'the tab strip');
}

/**
 * Both sizes on one page, resized (a page open and a Compress cost more than the checks): the
 * layout is CSS alone, so a resized page lays out as one opened at that size. The first Compress
 * also shows that the worker measured the unchanged model ahead while the page rested.
 */
test('the main loop fits one screen at 1280x720 and at 1920x1080, before and after a run; the worker measures the unchanged model ahead', async ({ page }) => {
  test.setTimeout(200_000);
  const sizes = [
    [1280, 720],
    [1920, 1080],
  ] as const;
  await page.setViewportSize({ width: sizes[0][0], height: sizes[0][1] });
  await openWith(page, link(FAST));
  await expect(page.getByTestId(`model-${FAST.m}`)).toContainText('Custom TinyML CNN · MNIST');
  await expect(page.getByTestId(`model-${FAST.m}`)).toContainText('99.2%');
  for (const [width, height] of sizes) {
    await page.setViewportSize({ width, height });
    await mainLoopOnScreen(page);
    await page.screenshot({ path: shot(`workbench-${width}x${height}-empty.png`) });
  }
  await expect(page.getByTestId('weight-picture').locator('svg').first()).toBeVisible();
  // The warm-up is asked for a second after the picture (state/live.ts WARM_DELAY_MS); a Compress
  // that starts while it still runs waits for it rather than measuring twice.
  await page.waitForTimeout(2500);
  await compressOnce(page, 1);
  await expect(page.getByTestId('job-log').first()).toContainText(/evaluate baseline: 100 images, accuracy \d+\.\d+%, measured ahead, on the same records/);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/);
  await expect(page.getByTestId('recipe-sentence')).toHaveText(
    /^Pruned 50% of the conv and dense weights of each layer by magnitude, quantized to int8 per channel with min-max ranges from 64 calibration images: [\d.]+% smaller \(gzip\), [−+±][\d.]+ points of accuracy on 100 test images\.$/,
  );
  await expect(page.getByTestId('chart-size').locator('.recharts-bar-rectangle')).toHaveCount(6);
  // The live picture shows the recipe's layer, pruned at the slider's sparsity.
  await expect(page.getByTestId('picture-recipe')).toContainText('Unstructured, per layer, 50% of the layer');
  for (const [width, height] of [...sizes].reverse()) {
    await page.setViewportSize({ width, height });
    await mainLoopOnScreen(page);
    await page.screenshot({ path: shot(`workbench-${width}x${height}.png`) });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
});

test('the live picture and a labelled preview follow the slider; Compress replaces the preview', async ({ page }) => {
  test.setTimeout(200_000);
  await openWith(page, link({ m: FAST.m, cs: '64', tl: '64', el: '300', lat: '3' }));
  const picture = page.getByTestId('weight-picture');
  await expect(picture.getByTestId('picture-recipe')).toContainText('50% of the layer');
  const slider = page.getByLabel('Sparsity', { exact: true });
  await slider.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('prune-sparsity-value')).toHaveText('70%');
  await expect(picture.getByTestId('picture-recipe')).toContainText('70% of the layer');
  // 70% of a 48-cell sample cannot keep more than half of it; the 2:4 pattern keeps exactly half.
  const kept = await picture.getByTestId('picture-recipe').locator('g[data-kept="1"]').count();
  expect(kept).toBeLessThan(24);
  await expect(picture.getByTestId('picture-nm').locator('g[data-kept="1"]')).toHaveCount(24);
  await expect(picture.getByTestId('picture-scale')).toHaveText(/^\d/);

  // The headline's after-figures follow from a preview on a small subset, labelled with its image
  // count; the keys moved the slider four times, and the preview shown is the last one's.
  const headline = page.getByTestId('headline');
  await expect(headline).toHaveAttribute('data-preview', 'ready', { timeout: 120_000 });
  await expect(headline).toHaveAttribute('data-preview-sparsity', '0.7');
  await expect(page.getByTestId('preview-badge')).toHaveText(/^preview · \d+ images$/);
  await expect(page.getByTestId('preview-after-accuracy')).toHaveText(/^\d+\.\d\d%$/);
  await expect(page.getByTestId('preview-after-size')).toHaveText(/kB$/);
  await expect(page.getByTestId('preview-sentence')).toContainText('Preview: Pruned 70% of the conv and dense weights of each layer by magnitude');
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText('—');
  await page.screenshot({ path: shot('workbench-preview-1280x900.png') });

  // Compress runs the full measurement, and its figures replace the preview's.
  await compressOnce(page, 1);
  await expect(page.getByTestId('preview-badge')).toHaveCount(0);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/);
  await expect(page.getByTestId('recipe-sentence')).toContainText('Pruned 70%');

  await page.getByLabel('Weight scales').selectOption('per-tensor');
  await expect(page.getByTestId('idea-per-tensor')).toBeVisible();
  await expect(page.getByLabel('Weight scales')).toHaveAccessibleDescription(/A layer’s weights share one scale/);
  // Live preview off: a change no longer previews, and the link says so.
  await page.getByTestId('live-preview').uncheck();
  await expect(page).toHaveURL(/pv=0/);
  await page.getByLabel('Format').selectOption('float16');
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('preview-badge')).toHaveCount(0);
});

test('each tab opens from its URL, and an unknown tab is named and ignored', async ({ page }) => {
  for (const t of TAB_IDS) {
    await page.goto(`/?v=1&tab=${t}`);
    await expect(page.getByTestId(`tab-${t}`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId(`tabpanel-${t}`)).toBeVisible();
    for (const other of TAB_IDS.filter((o) => o !== t)) await expect(page.getByTestId(`tabpanel-${other}`)).toBeHidden();
  }
  // Clicking a tab writes it into the link; the arrow keys move along the strip.
  await page.getByRole('tab', { name: 'Per layer' }).click();
  await expect(page).toHaveURL(/tab=layers/);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Confusion' })).toBeFocused();
  await expect(page).toHaveURL(/tab=confusion/);
  await page.goto('/?v=1&tab=nope');
  await expect(page.getByTestId('notice-url')).toContainText('values for tab could not be read');
  await expect(page.getByTestId('tab-details')).toHaveAttribute('aria-selected', 'true');
});
