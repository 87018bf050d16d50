/**
 * Run history (issues 4 and 9): every finished run kept in IndexedDB across reloads; rename,
 * compare, delete, CSV and JSON export; the Pareto chart with one point per run; a corrupted entry
 * skipped and reported; IndexedDB missing or over quota -> history (and runs' files) in memory with
 * a warning.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import { compressOnce, FAST, link, openTab, openWith, shot } from './studio-helpers';

/** The names of the runs IndexedDB holds now (what a reload will load). */
function storedNames(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('compression-studio-history');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('records').objectStore('records').getAll();
          all.onsuccess = () => (open.result.close(), resolve((all.result as Array<{ name: string }>).map((r) => r.name)));
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

test('runs survive a reload and can be renamed, compared, exported and deleted', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link({ ...FAST, tab: 'history' }));
  await compressOnce(page, 1);
  await page.getByLabel('Sparsity', { exact: true }).fill('0.8');
  await compressOnce(page, 2);

  // One point per run; the run just finished is the highlighted one.
  const pareto = page.getByTestId('chart-pareto');
  await expect(pareto.locator('.recharts-scatter-symbol')).toHaveCount(2);
  await expect(pareto.locator('.recharts-scatter').nth(1).locator('.recharts-scatter-symbol')).toHaveCount(1);
  await expect(page.getByTestId('history-row').first()).toHaveClass(/current/);

  // A name with markup is kept and shown as text.
  const older = page.getByTestId('history-row').nth(1);
  await older.getByTestId('history-rename').click();
  await older.getByTestId('history-rename-input').fill('=1+1 <b>bold</b>');
  await older.getByTestId('history-rename-input').press('Enter');
  await expect(older.getByTestId('history-name')).toHaveText('=1+1 <b>bold</b>');
  await expect(page.locator('.history-table b')).toHaveCount(0);

  // The rename is written to IndexedDB asynchronously: reload only once it is stored, as a user
  // would long after renaming (a reload within milliseconds can lose the write).
  await expect.poll(() => storedNames(page)).toContain('=1+1 <b>bold</b>');
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await expect(page.getByTestId('history-count')).toHaveText('2 runs, saved in this browser.');
  await expect(page.getByTestId('history-row').nth(1).getByTestId('history-name')).toHaveText('=1+1 <b>bold</b>');
  await expect(page.getByTestId('chart-pareto').locator('.recharts-scatter-symbol')).toHaveCount(2);

  // Side by side.
  for (const row of await page.getByTestId('history-row').all()) await row.getByTestId('history-compare').check();
  const compare = page.getByTestId('compare-table');
  await expect(compare).toContainText('Accuracy after');
  await expect(compare).toContainText('per-layer 80% + int8');
  await expect(compare).toContainText('per-layer 50% + int8');

  // Show an older run: it becomes the highlighted one and fills the results.
  await page.getByTestId('history-row').nth(1).getByTestId('history-show').click();
  await expect(page.getByTestId('history-row').nth(1)).toHaveClass(/current/);
  await expect(page.getByTestId('compress-summary')).toContainText(`${FAST.el} images`);
  await page.getByTestId('history').screenshot({ path: shot('history-panel.png') });

  // Exports.
  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = (await readFile(await csvDl.path())).toString('utf8').trim().split('\r\n');
  expect(csv).toHaveLength(3);
  expect(csv[0]).toMatch(/^id,name,finished,model,dataset/);
  // A name a spreadsheet would run as a formula is written as text.
  expect(csv[2]).toContain(",'=1+1 <b>bold</b>,");
  const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const doc = JSON.parse((await readFile(await jsonDl.path())).toString('utf8')) as { format: string; version: number; runs: Array<{ settings: { prune: { sparsity: number } } }> };
  expect(doc.format).toBe('compression-studio-history');
  expect(doc.version).toBe(1);
  expect(doc.runs.map((r) => r.settings.prune.sparsity)).toEqual([0.8, 0.5]);

  // Delete survives a reload too.
  await page.getByTestId('history-row').first().getByTestId('history-delete').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  // The same for the delete (a reload right after the click lost it once in CI, 2026-12-07).
  await expect.poll(async () => (await storedNames(page)).length).toBe(1);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('chart-pareto').locator('.recharts-scatter-symbol')).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});

test('a corrupted history entry is skipped and reported, and the others still load', async ({ page }) => {
  test.setTimeout(200_000);
  await openWith(page, link({ ...FAST, tab: 'history' }));
  await compressOnce(page, 1);
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('compression-studio-history');
        open.onsuccess = () => {
          const tx = open.result.transaction('records', 'readwrite');
          tx.objectStore('records').put({ v: 1, id: 'run-corrupt', name: 'broken', createdAt: 1, modelId: 'x', settings: {}, result: { after: 42 } }, 'run-corrupt');
          tx.objectStore('records').put('not even an object', 'run-garbage');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  const skipped = page.getByTestId('history-skipped');
  await expect(skipped).toContainText('2 saved runs could not be read and were skipped');
  await expect(skipped).toContainText('run-corrupt');
  await expect(skipped).toContainText('its settings are incomplete');
  await expect(skipped).toContainText('run-garbage');
  await page.getByTestId('history').screenshot({ path: shot('history-corrupt-entry.png') });
  await skipped.getByRole('button', { name: 'Remove the unreadable entries' }).click();
  await expect(skipped).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-skipped')).toHaveCount(0);
});

test('without IndexedDB the history is kept in memory, with a warning', async ({ page }) => {
  test.setTimeout(200_000);
  await page.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true }));
  await openWith(page, link({ ...FAST, tfl: '1', tab: 'history' }));
  await expect(page.getByTestId('history-warning')).toContainText('IndexedDB is not available');
  await compressOnce(page, 1);
  await expect(page.getByTestId('history-count')).toHaveText('1 run, in this tab only.');
  await expect(page.getByTestId('chart-pareto').locator('.recharts-scatter-symbol')).toHaveCount(1);
  // Its exported files are kept in memory too: shown again after another run, it still downloads them.
  await page.getByTestId('tflite-enabled').uncheck();
  await compressOnce(page, 2);
  await expect(page.getByTestId('deploy-empty')).toContainText('This run exported no .tflite files.');
  await page.getByTestId('history-row').nth(1).getByTestId('history-show').click();
  await openTab(page, 'deploy');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-int8-tflite').click()]);
  expect(
    readFileSync(await download.path())
      .subarray(4, 8)
      .toString('latin1'),
  ).toBe('TFL3');
});

test('when storage is over quota the run stays in memory and the studio says so', async ({ page }) => {
  test.setTimeout(200_000);
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await openWith(page, link({ ...FAST, sp: '0.6' }));
  await compressOnce(page, 1);
  await expect(page.getByTestId('history-warning')).toContainText('storage quota is full');
  await expect(page.getByTestId('history-count')).toHaveText('1 run, in this tab only.');
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/);
});
