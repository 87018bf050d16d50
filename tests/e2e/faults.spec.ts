import { expect, test } from '@playwright/test';

/**
 * A worker that stops answering is terminated and replaced: the stuck job rejects with a
 * 'worker-restarted' error that says so, and the next job runs on the fresh worker. The silence
 * is real: on the (scalar, slow) cpu backend one batch of 256 images runs for many seconds
 * without a message, against a watchdog shortened to 2 s. (Playwright cannot intercept a
 * worker's fetches here, so a held-back download cannot stand in for a hang.)
 */
test('a stuck engine worker is replaced and the next job works', async ({ page }) => {
  await page.goto('/?bench&deadline=2000');
  await page.waitForFunction(() => !!window.studioBench);
  const slow = { type: 'evaluate' as const, modelId: 'custom-cnn-mnist', backend: 'cpu' as const, limit: 256 };
  const job = { type: 'evaluate' as const, modelId: 'custom-cnn-mnist', backend: 'wasm' as const, limit: 64 };
  const first = await page.evaluate((j) => window.studioBench!.run(j).then(() => 'resolved', (e: { error?: { code: string; message: string } }) => `${e.error?.code}: ${e.error?.message}`), slow);
  expect(first).toMatch(/^worker-restarted: The engine stopped answering for 2 s/);
  expect(await page.evaluate(() => window.studioBench!.restarts())).toBe(1);
  const second = await page.evaluate((j) => window.studioBench!.run(j).then((r) => (r.type === 'evaluate' ? r.metrics.count : -1)), job);
  expect(second).toBe(64);
});
