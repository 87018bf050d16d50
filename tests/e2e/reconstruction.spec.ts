/**
 * Compression without retraining in the studio: a link with reconstruction pruning (pm=ob), GPTQ
 * rounding (rd=gptq), bias correction (bc=mean) and uniform allocation (al=u) opens with those controls set, the method's own
 * parameter fields shown, its idea beside the controls, and a run whose summary and stages say
 * what it did. The maths is the unit tests' (recon-*.test.ts); this checks the wiring end to end.
 */
import { expect, test } from '@playwright/test';
import { compressOnce, FAST, link, openWith } from './studio-helpers';

test('reconstruction pruning and GPTQ rounding from a link, run in the worker', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openWith(page, link({ ...FAST, pm: 'ob', sp: '0.6', al: 'u', pp: 'images:32', rd: 'gptq', bc: 'mean' }));
  const panel = page.getByTestId('compress-panel');
  await expect(panel.getByLabel('Pruning method')).toHaveValue('obs');
  await expect(panel.getByTestId('prune-param-images')).toHaveValue('32');
  // Uniform keeps this run short; the sensitivity allocation is the unit tests' (recon-allocation.test.ts).
  await expect(panel.getByTestId('prune-allocation')).toHaveValue('uniform');
  await expect(panel.getByTestId('quant-rounding')).toHaveValue('gptq');
  await expect(page.getByText('Pruning with reconstruction').first()).toBeVisible();
  await compressOnce(page, 1);
  // The headline's sentence (the run's, or a live preview's of the same recipe: both re-fit on 32 images).
  const sentence = page.locator('.recipe-sentence');
  await expect(sentence).toContainText('re-fitting the kept weights on 32 training images');
  await expect(sentence).toContainText('GPTQ rounding and bias correction');
  await expect(page.getByTestId('stages-table')).toContainText('GPTQ rounding, bias correction');
  expect(errors).toEqual([]);
});
