/**
 * The lecture tour (issue 19), end to end at 1280x720 in lecture mode: next through baseline →
 * pruning → INT8 → both on one model, the first and last steps run in full and the middle ones
 * show their preview, Compress and Next stay on screen, and each step is a link that opens it.
 */
import { expect, test } from '@playwright/test';
import { compressOnce, FAST, inViewport, link, openWith, shot } from './studio-helpers';

test('the lecture tour, end to end at 1280x720 in lecture mode', async ({ page, context }) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openWith(page, link({ m: FAST.m, lecture: '1' }));
  await expect(page.locator('html')).toHaveClass(/lecture/);
  await page.getByTestId('tour-start').click();
  const expected = [
    { step: 'baseline', method: 'none', format: 'none', story: 'Step 1: the baseline' },
    { step: 'pruning', method: 'global', format: 'none', story: 'Step 2: pruning' },
    { step: 'int8', method: 'none', format: 'int8', story: 'Step 3: INT8' },
    { step: 'pruning-int8', method: 'global', format: 'int8', story: 'Step 4: pruning and INT8' },
  ];
  for (const [i, e] of expected.entries()) {
    await expect(page).toHaveURL(new RegExp(`tour=${e.step}(&|$)`));
    await expect(page.getByTestId(`tour-step-${e.step}`)).toHaveAttribute('aria-current', 'step');
    await expect(page.getByTestId('tour-story')).toContainText(e.story);
    await expect(page.getByLabel('Pruning method')).toHaveValue(e.method);
    await expect(page.getByLabel('Format')).toHaveValue(e.format);
    await inViewport(page, page.getByTestId('compress-run'), 'Compress in lecture mode');
    await inViewport(page, page.getByTestId('tour-next'), 'Next');
    if (i === 0 || i === expected.length - 1) {
      // The first and the last step run in full; the middle ones show their preview.
      await compressOnce(page, i === 0 ? 1 : 2);
      await expect(page.getByTestId('compress-summary')).toContainText('500 images');
    } else {
      await expect(page.getByTestId('preview-badge')).toHaveText(/^preview · \d+ images/, { timeout: 120_000 });
      await expect(page.getByTestId('headline')).toHaveAttribute('data-preview', 'ready', { timeout: 120_000 });
      await inViewport(page, page.getByTestId('preview-after-accuracy'), 'the preview’s accuracy');
    }
    await page.screenshot({ path: shot(`tour-${i + 1}-${e.step}-1280x720-lecture.png`) });
    if (i < expected.length - 1) await page.getByTestId('tour-next').click();
  }
  await expect(page.getByTestId('tour-next')).toBeDisabled();
  await expect(page.getByTestId('recipe-sentence')).toContainText('Pruned 50% of all conv and dense weights by magnitude, ranked across layers (first and last layer kept), fine-tuned for 10 steps, quantized to int8 per channel');

  // Each step is a link that opens that step, here in a fresh page.
  const href = await page.getByTestId('tour-step-int8').getAttribute('href');
  const fresh = await context.newPage();
  await fresh.setViewportSize({ width: 1280, height: 720 });
  await fresh.goto(href!);
  await expect(fresh.getByTestId('tour-story')).toContainText('Step 3: INT8');
  await expect(fresh.getByLabel('Format')).toHaveValue('int8');
  await expect(fresh.locator('html')).toHaveClass(/lecture/);
  // Back goes one step back, End tour leaves the recipe as it is.
  await fresh.getByTestId('tour-back').click();
  await expect(fresh.getByTestId('tour-story')).toContainText('Step 2: pruning');
  await fresh.getByTestId('tour-end').click();
  await expect(fresh.getByTestId('tour-story')).toHaveCount(0);
  await expect(fresh).not.toHaveURL(/tour=/);
  await expect(fresh.getByLabel('Pruning method')).toHaveValue('global');
});
