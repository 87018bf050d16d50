import { expect, test, type Page, type Worker } from '@playwright/test';
import { compressOnce, link, openTab, openWith, shot } from './studio-helpers';

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
  const first = await page.evaluate(
    (j) =>
      window.studioBench!.run(j).then(
        () => 'resolved',
        (e: { error?: { code: string; message: string } }) => `${e.error?.code}: ${e.error?.message}`,
      ),
    slow,
  );
  expect(first).toMatch(/^worker-restarted: The engine stopped answering for 2 s/);
  expect(await page.evaluate(() => window.studioBench!.restarts())).toBe(1);
  // The fresh worker's first job starts its module, the wasm backend and the data, which under
  // CI's load once took more than the 2 s that made the stuck job's silence short (2026-12-07):
  // the next job runs under the studio's own deadline.
  await page.evaluate(() => window.studioBench!.setDeadline(120_000));
  const second = await page.evaluate((j) => window.studioBench!.run(j).then((r) => (r.type === 'evaluate' ? r.metrics.count : -1)), job);
  expect(second).toBe(64);
});

/** The engine worker of the studio's own client (started by its first job). */
function engineWorker(page: Page): Worker {
  const w = page.workers().find((x) => /engine\.worker/.test(x.url()));
  if (!w) throw new Error('no engine worker');
  return w;
}

/** Records every WebGL context the worker creates from now on, so the test can lose them. */
async function recordWebglContexts(w: Worker): Promise<void> {
  await w.evaluate(() => {
    const g = self as unknown as { __contexts: WebGLRenderingContext[] };
    g.__contexts = [];
    const create = OffscreenCanvas.prototype.getContext;
    OffscreenCanvas.prototype.getContext = function (this: OffscreenCanvas, ...args: Parameters<OffscreenCanvas['getContext']>) {
      const ctx = create.apply(this, args);
      if (ctx && /webgl/.test(String(args[0]))) g.__contexts.push(ctx as unknown as WebGLRenderingContext);
      return ctx;
    } as OffscreenCanvas['getContext'];
  });
}

test('a lost WebGL context ends the job with a message, the studio falls back to wasm, and the history is intact', async ({ page }) => {
  test.setTimeout(120_000);
  await openWith(page, link());
  await compressOnce(page, 1);
  const accuracy = await page.getByTestId('compress-after-accuracy').innerText();
  const worker = engineWorker(page);
  await recordWebglContexts(worker);

  await openTab(page, 'evaluate');
  const picker = page.getByLabel('Inference backend');
  await picker.selectOption('webgl');
  await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
  // Lose the context as soon as tfjs' webgl backend has one, i.e. while the job runs.
  await expect.poll(() => worker.evaluate(() => (self as unknown as { __contexts: unknown[] }).__contexts.length), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('.run-panel').getByRole('button', { name: 'Cancel' })).toBeEnabled();
  await worker.evaluate(() => (self as unknown as { __contexts: WebGLRenderingContext[] }).__contexts.forEach((gl) => gl.getExtension('WEBGL_lose_context')?.loseContext()));

  // Without the watch the job would wait forever on tfjs' fences; the message comes within seconds.
  await expect(page.locator('.run-panel [role=alert]')).toContainText('The WebGL context was lost', { timeout: 15_000 });
  await expect(page.getByTestId('notice-webgl-lost')).toContainText('switched to the wasm backend');
  await expect(picker).toHaveValue('wasm');
  await expect(page.getByRole('button', { name: 'Evaluate', exact: true })).toBeEnabled();
  // The worker holding the dead context was replaced. Not "only one engine worker is left":
  // the client terminates the old one at once, but Chromium may keep listing a worker that is
  // blocked in a call into the (software) GPU process for minutes (seen once in a fresh-clone CI
  // run), which is the browser's business; the jobs below show the studio uses the new one.
  await expect.poll(() => page.workers().some((x) => x !== worker && /engine\.worker/.test(x.url()))).toBe(true);
  await page.screenshot({ path: shot('fault-webgl-lost.png') });

  // Earlier results and the history are intact, and the next job works.
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(accuracy);
  await compressOnce(page, 2);
  await expect(page.getByTestId('compress-ran-on')).toContainText('Last run ran on wasm');
});

test('a worker crash mid-job ends the job with a message; earlier results and the history stay, and the next job works', async ({ page }) => {
  test.setTimeout(120_000);
  await openWith(page, link());
  await compressOnce(page, 1);
  const accuracy = await page.getByTestId('compress-after-accuracy').innerText();
  const worker = engineWorker(page);
  await page.getByTestId('compress-run').click();
  await expect(page.getByTestId('compress-cancel')).toBeVisible();
  // An exception nothing catches reaches the worker's global scope: the page sees an error event.
  await worker.evaluate(() =>
    setTimeout(() => {
      throw new Error('simulated crash');
    }),
  );
  await expect(page.getByTestId('compress-error')).toContainText('The engine worker crashed (Uncaught Error: simulated crash); it was restarted. Earlier results are kept.', { timeout: 15_000 });
  await expect(page.getByTestId('compress-run')).toBeEnabled();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(accuracy);
  await compressOnce(page, 2);
});

test('a reload mid-run is reported on the next load, with the history intact and the studio working', async ({ page }) => {
  test.setTimeout(120_000);
  await openWith(page, link());
  await compressOnce(page, 1);
  const accuracy = await page.getByTestId('compress-after-accuracy').innerText();
  const markers = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('compression-studio:running:')).length);
  expect(await markers()).toBe(0);

  await page.getByTestId('compress-run').click();
  await expect(page.getByTestId('compress-cancel')).toBeVisible();
  await expect.poll(markers).toBe(1);
  await page.reload();

  const notice = page.getByTestId('notice-unfinished-run');
  await expect(notice).toContainText('A run did not finish because the page was reloaded or closed while it ran: the compression of Custom TinyML CNN · MNIST (per-layer 50% + int8), started ');
  await expect(notice).toContainText('the run history is intact');
  await page.locator('.notices').screenshot({ path: shot('fault-reload-notice.png') });
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(accuracy);
  expect(await markers()).toBe(0);

  // The studio works, and a run that finishes leaves no marker behind.
  await compressOnce(page, 2);
  expect(await markers()).toBe(0);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await expect(page.getByTestId('notice-unfinished-run')).toHaveCount(0);
});
