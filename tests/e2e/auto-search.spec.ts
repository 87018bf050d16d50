/**
 * Automatic search under a budget (issue 18): the budget is typed per kind and checked before
 * anything runs, a board is picked from the board table, and a search can be cancelled. A whole
 * search takes minutes on the custom CNN (each candidate prunes every layer with reconstruction),
 * so the candidates themselves are tested in the unit tests and the CLI, not here.
 */
import { expect, test } from '@playwright/test';
import { FAST, link, openWith } from './studio-helpers';

test('the search checks its budget, offers the boards, and can be cancelled', async ({ page }) => {
  test.setTimeout(90_000);
  await openWith(page, link({ ...FAST, tab: 'sweep' }));
  const auto = page.getByTestId('auto-search');
  await expect(auto.getByTestId('auto-value')).toHaveValue('1');
  await auto.getByTestId('auto-kind').selectOption('max-size');
  await auto.getByTestId('auto-value').fill('big');
  await expect(auto.getByTestId('auto-status')).toContainText('must be a positive size such as 100KB');
  await expect(auto.getByTestId('auto-run')).toBeDisabled();
  await auto.getByTestId('auto-value').fill('100KB');
  await expect(auto.getByTestId('auto-run')).toBeEnabled();
  await auto.getByTestId('auto-kind').selectOption('board');
  await expect(auto.getByTestId('auto-value').locator('option')).toHaveText(['Arduino Nano 33 BLE Sense (nRF52840)', 'Raspberry Pi Pico (RP2040)', 'ESP32 (520 KB SRAM, 4 MB flash module)', 'STM32F746 (Discovery kit)']);
  await auto.getByTestId('auto-kind').selectOption('max-drop');
  await expect(auto.getByTestId('chart-auto')).toContainText('No search yet');

  await auto.getByTestId('auto-run').click();
  await expect(auto.getByTestId('auto-status')).toContainText('Searching');
  await expect(auto.getByTestId('stage')).toContainText(/Starting|Loading|held-back training images/, { timeout: 30_000 });
  await auto.getByTestId('auto-cancel').click();
  await expect(auto.getByTestId('auto-status')).toHaveText('Cancelled during the search.');
  await expect(auto.getByTestId('auto-run')).toBeEnabled();
  await expect(page.getByTestId('history-row')).toHaveCount(0);
});
