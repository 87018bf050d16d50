/**
 * Per-layer sensitivity in the studio (issue 18 part 3): the tab opens from the link, the worker
 * measures each layer of the custom CNN on MNIST compressed alone on a few training images, and the
 * chart, its legend and the table show all six weighted layers (five convolutions and the logits);
 * the legend picks a layer, the measure can be switched, the filled view passes axe, and a second,
 * longer run is cancelled while the first result stays.
 */
import { expect, test } from '@playwright/test';
import { axe, FAST, link, openWith, shot } from './studio-helpers';

const LAYERS = 6;

test('the sensitivity view measures each layer alone, shows it as a chart and a table, and a run can be cancelled', async ({ page }) => {
  test.setTimeout(120_000);
  await openWith(page, link({ ...FAST, tab: 'sensitivity' }));
  const view = page.getByTestId('sensitivity');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('chart-sensitivity')).toContainText('No analysis of this model yet');
  await view.getByTestId('sens-calibration').fill('16');
  await view.getByTestId('sens-held-out').fill('32');
  await view.getByTestId('sens-sparsities').fill('0.5, 1');
  await expect(view.getByTestId('sens-bad')).toContainText('"1" is not a sparsity');
  await view.getByTestId('sens-sparsities').fill('50%, 0.9');
  await view.getByTestId('sens-run').click();
  await expect(view.getByTestId('sens-status')).toContainText(`${LAYERS} layers`, { timeout: 60_000 });
  await expect(view.getByTestId('sens-status')).toContainText('of 32 held-back training images (after 16 calibration images, of the 60,000 in the training split');
  await expect(view.getByTestId('log-line').last()).toContainText(`done: ${LAYERS} layers`);

  const chart = page.getByTestId('chart-sensitivity');
  await expect(chart.locator('.recharts-line')).toHaveCount(LAYERS);
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(LAYERS);
  await expect(view.getByTestId('sens-legend-item')).toHaveCount(LAYERS);
  await expect(view.getByTestId('sens-row')).toHaveCount(LAYERS);
  await expect(view.getByTestId('sens-table').locator('thead th')).toHaveText(['Layer', 'Weights', 'Pruned 50.0%', 'Pruned 90.0%', 'int8']);

  const second = view.getByTestId('sens-legend-item').nth(1);
  await second.click();
  await expect(second).toHaveAttribute('aria-pressed', 'true');
  await page.mouse.move(0, 0);
  await expect(view.getByTestId('sens-readout')).toContainText('block2_conv (conv2d, 9,216 weights)');
  await view.getByTestId('sens-metric-divergence').check();
  await expect(view.getByTestId('sens-table').locator('caption')).toContainText('KL divergence');
  await view.screenshot({ path: shot('sensitivity.png') });
  // The filled view (chart, legend, focusable rows) passes axe as the empty one does in accessibility.spec.ts.
  const axeResult = await axe(page).include('#tabpanel-sensitivity').analyze();
  expect(axeResult.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);

  // A longer analysis (other settings: not in the worker's cache), cancelled while it measures layers.
  await view.getByTestId('sens-calibration').fill('256');
  await view.getByTestId('sens-held-out').fill('2000');
  await view.getByTestId('sens-run').click();
  await expect(view.getByTestId('stage')).toContainText('Measuring each layer', { timeout: 30_000 });
  await view.getByTestId('sens-cancel').click();
  await expect(view.getByTestId('sens-error')).toContainText('Cancelled');
  await expect(view.getByTestId('log-line').last()).toContainText('cancelled');
  await expect(view.getByTestId('sens-run')).toBeEnabled();
  await expect(view.getByTestId('sens-row')).toHaveCount(LAYERS);
});
