/** Shared steps of the studio's end-to-end specs: fast settings by URL, one run, screenshots. */
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/**
 * A quick recipe as a link: custom CNN on MNIST, 50% per-layer + INT8, 100 test images,
 * 64 calibration images (and 64 training images loaded), 3 latency runs, no fine-tuning. A test
 * whose claim compares figures (real int8 against simulated, within half a point) asks for more
 * records itself: each of this CNN's images costs 22 MMAC, 2 ms on wasm, and a run evaluates the
 * records three times (the unchanged model, pruned, quantized).
 */
export const FAST = { m: 'custom-cnn-mnist', sp: '0.5', q: 'int8', cs: '64', tl: '64', el: '100', lat: '3' };

export function link(params: Record<string, string> = FAST): string {
  return `/?${new URLSearchParams({ v: '1', ...params }).toString()}`;
}

/** Where this suite's screenshots go (inside E2E_RESULTS, beside Playwright's own output). */
export function shot(name: string): string {
  return join(process.env.E2E_RESULTS ?? 'test-results', 'screens', name);
}

/** Clicks Compress and waits until the run is in the history (which then has `runsAfter` rows). */
export async function compressOnce(page: Page, runsAfter: number): Promise<void> {
  await page.getByTestId('compress-run').click();
  await expect(page.getByTestId('history-row')).toHaveCount(runsAfter, { timeout: 150_000 });
  await expect(page.getByTestId('compress-run')).toBeEnabled();
}

export async function openWith(page: Page, url: string, modelId = FAST.m): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId(`model-${modelId}`).locator('input[type=radio]')).toBeChecked();
  await expect(page.getByTestId('history-count')).not.toHaveText(/Reading/);
}

/** Opens a tab under the workbench (ids: src/state/ui-slice.ts TAB_IDS) and waits for its panel. */
export async function openTab(page: Page, id: string): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await expect(page.getByTestId(`tabpanel-${id}`)).toBeVisible();
}

/**
 * axe for this page, as the accessibility checks run it. Legacy mode runs axe in the page itself:
 * the default gathers each frame's partial results and finishes them in a new blank page, which
 * cost 3-5 CPU-s a check against about 2 (2026-12-07; the studio has no cross-origin frames, the
 * one thing only the default reaches). Only violations are collected: passes and incomplete
 * results are not read.
 */
export function axe(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).setLegacyMode(true).options({ resultTypes: ['violations'] });
}

/** Asserts that `l` lies wholly inside the viewport, without scrolling (`what` names it in a failure). */
export async function inViewport(page: Page, l: Locator, what: string): Promise<void> {
  const vp = page.viewportSize()!;
  const b = await l.boundingBox();
  expect(b, `${what} has a box`).not.toBeNull();
  expect(b!.x, `${what} left`).toBeGreaterThanOrEqual(0);
  expect(b!.y, `${what} top`).toBeGreaterThanOrEqual(0);
  expect(b!.x + b!.width, `${what} right`).toBeLessThanOrEqual(vp.width);
  expect(b!.y + b!.height, `${what} bottom`).toBeLessThanOrEqual(vp.height);
}
