import { expect, test } from '@playwright/test';

/**
 * A compress job estimated above 10 minutes (engine/jobs/estimate-compress.ts) stops before its
 * work and the page asks: declining starts nothing; agreeing starts the same job, which Cancel
 * then stops. Fine-tuning 30 epochs on all 60,000 MNIST images is hours on any CPU.
 */
test('a job estimated above 10 minutes asks first; no starts nothing, yes starts it', async ({ page }) => {
  await page.goto('/?v=1'); // links of v=1 keep the magnitude recipe, whose live picture costs nothing
  await page.getByTestId('model-custom-cnn-mnist').click();
  const panel = page.getByTestId('compress-panel');
  await panel.getByLabel('Epochs (0 = none)').fill('30');
  await panel.getByLabel('Test images (blank = all)').fill('200');

  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toMatch(/^This job is estimated at about [\d.]+ (min|h) on this machine \(.*fine-tune about [\d.]+ (min|h).*\)\. Start it anyway\?/);
  // Declined: nothing runs, and the question is what the panel says.
  await expect(panel.getByRole('button', { name: 'Compress' })).toBeEnabled();
  await expect(panel.getByTestId('compress-error')).toContainText('estimated at about');

  page.once('dialog', (d) => void d.accept());
  await panel.getByRole('button', { name: 'Compress' }).click();
  await expect(panel.getByRole('progressbar', { name: 'Job progress' })).toBeVisible();
  await expect(panel.getByTestId('stage')).toContainText('Training', { timeout: 90_000 });
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByTestId('compress-error')).toContainText('Cancelled');
});
