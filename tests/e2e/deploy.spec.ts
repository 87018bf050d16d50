/**
 * The Deploy section end to end (issue 5's studio UI): custom CNN on MNIST, 50% per-layer +
 * full-integer INT8, 300 test images, 64 calibration images, with "Real int8 on the TFLite
 * runtime" ticked. The real int8 accuracy on the TFLite runtime is close to the simulated one on
 * screen; the .tflite, C header and report download; the fit verdict says the model fits an
 * Arduino Nano 33 BLE Sense and not a custom 16 KB-RAM board; the live-bytes chart draws bars;
 * the job log lists the stages with their figures; after a reload the run from the history still
 * downloads the same .tflite, C and tfjs files, and the board comes back from the URL.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Locator } from '@playwright/test';
import { FAST, link, openWith, shot } from './studio-helpers';

const percent = async (l: Locator) => parseFloat((await l.innerText()).replace('%', ''));

test('Deploy: real int8 on TFLite, downloads, microcontroller fit', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link({ ...FAST, el: '300', tab: 'deploy' }));
  await expect(page.getByTestId('deploy-empty')).toBeVisible();

  const option = page.getByTestId('tflite-option');
  await option.getByTestId('tflite-enabled').check();
  await expect(option.getByTestId('tflite-io')).toBeEnabled();
  // The runtime chosen by measurement by default (rt=m); int8 I/O pins tfjs-tflite (LiteRT.js cannot pass int8 tensors).
  const runtime = option.getByTestId('tflite-runtime');
  await expect(runtime).toHaveValue('measured');
  await option.getByTestId('tflite-io').selectOption('int8');
  await expect(runtime).toHaveValue('tfjs-tflite');
  await expect(runtime).toBeDisabled();
  await option.getByTestId('tflite-io').selectOption('float');
  await expect(runtime).toHaveValue('measured');
  await page.getByTestId('compress-panel').screenshot({ path: shot('deploy-option.png') });

  await page.getByTestId('compress-run').click();
  // The TFLite step shows its own stages in the progress bar.
  await expect(page.getByTestId('stage')).toContainText(/TFLite runtime|\.tflite/, { timeout: 150_000 });
  await expect(page.getByTestId('history-row')).toHaveCount(1, { timeout: 150_000 });
  await expect(page.getByTestId('compress-run')).toBeEnabled();

  const deploy = page.getByTestId('deploy-section');
  await expect(deploy.getByTestId('deploy-tflite-error')).toHaveCount(0);
  await expect(deploy.getByTestId('deploy-int8-accuracy')).toHaveText(/%$/);

  // Real int8 on TFLite against the simulated int8 on screen (the results card and the Deploy column).
  const real = await percent(deploy.getByTestId('deploy-int8-accuracy'));
  const simulated = await percent(page.getByTestId('compress-after-accuracy'));
  expect(await percent(deploy.getByTestId('deploy-sim-accuracy'))).toBeCloseTo(simulated, 2);
  expect(Math.abs(real - simulated)).toBeLessThanOrEqual(0.5);
  await expect(deploy.getByTestId('deploy-agreement')).toContainText('of 300');
  await expect(deploy.getByTestId('deploy-int8-p50')).toHaveText(/\d ms$/);
  await expect(deploy.getByTestId('deploy-speedup')).toHaveText(/^\d+\.\d\d×$/);
  await expect(deploy.getByText('TFLite runtime (wasm, real int8 kernels)')).toBeVisible();
  await expect(deploy.getByText('tfjs simulation', { exact: true })).toBeVisible();
  // Both runtimes timed in this browser; the one used is named, and it is the one that ran the files.
  const choice = deploy.getByTestId('deploy-runtime-choice');
  await expect(choice.getByTestId('runtime-choice-litert')).toContainText(/\d ms/);
  await expect(choice.getByTestId('runtime-choice-tfjs-tflite')).toContainText(/\d ms/);
  const reason = await deploy.getByTestId('deploy-runtime-reason').innerText();
  const used = /^Used (LiteRT\.js|tfjs-tflite)\. \1: int8 \d+\.\d+ ms vs \d+\.\d+ ms on (LiteRT\.js|tfjs-tflite), median of \d+ interleaved/.exec(reason);
  expect(used, reason).not.toBeNull();
  const rows = await choice.locator('tbody tr').allInnerTexts();
  console.log(`runtime choice (custom CNN, MNIST): ${reason} | ${rows.map((r) => r.replace(/\s+/g, ' ')).join(' | ')}`);
  await expect(deploy.getByTestId('deploy-runtime-note')).toContainText(used![1]);
  await expect(deploy.getByTestId('deploy-size-note')).toContainText('gzip');

  // Downloads: .tflite (FlatBuffer identifier "TFL3" at bytes 4..8), C header, report.
  const save = async (testId: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), deploy.getByTestId(testId).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: readFileSync(path) };
  };
  const tflite = await save('download-int8-tflite');
  expect(tflite.name).toBe('custom_cnn_mnist_int8.tflite');
  expect(tflite.bytes.subarray(4, 8).toString('latin1')).toBe('TFL3');
  const shownSize = await deploy.getByTestId('export-int8-size').getAttribute('title');
  expect(shownSize).toBe(`${tflite.bytes.length.toLocaleString('en')} bytes`);
  const header = await save('download-int8-h');
  expect(header.name).toBe('custom_cnn_mnist_int8.h');
  expect(header.bytes.toString('utf8')).toContain('extern const unsigned char custom_cnn_mnist_int8_tflite[];');
  expect(header.bytes.toString('utf8')).toContain('custom_cnn_mnist_int8_tflite_len');
  const source = await save('download-int8-c');
  expect(source.bytes.toString('utf8')).toContain('alignas(16) const unsigned char custom_cnn_mnist_int8_tflite[] = {');
  expect(source.bytes.toString('utf8')).toContain(`custom_cnn_mnist_int8_tflite_len = ${tflite.bytes.length};`);
  const float32 = await save('download-float32-tflite');
  expect(float32.bytes.subarray(4, 8).toString('latin1')).toBe('TFL3');
  expect(float32.bytes.length).toBeGreaterThan(3 * tflite.bytes.length);
  const report = await save('download-report');
  expect(report.name).toBe('custom_cnn_mnist_report.json');
  const envelope = JSON.parse(report.bytes.toString('utf8')) as { format: string; tflite: { models: unknown[]; runtimeChoice: { chosen: string; reason: string; timings: unknown[] } }; fit: Array<{ device: { id: string }; fits: boolean }> };
  expect(envelope.format).toBe('compression-studio-report');
  expect(envelope.tflite.models).toHaveLength(2);
  expect(envelope.tflite.runtimeChoice.timings).toHaveLength(2);
  expect(reason).toContain(envelope.tflite.runtimeChoice.reason);
  expect(envelope.fit.find((f) => f.device.id === 'arduino-nano-33-ble-sense')?.fits).toBe(true);

  // Fit check: the Arduino Nano 33 BLE Sense (256 KB RAM, 1 MB flash) is the default board.
  const fit = deploy.getByTestId('fit-check');
  await expect(fit.getByTestId('fit-board')).toHaveValue('arduino-nano-33-ble-sense');
  await expect(fit.getByTestId('fit-verdict')).toHaveAttribute('data-fits', 'true');
  await expect(fit.getByTestId('fit-verdict')).toContainText('Fits the Arduino Nano 33 BLE Sense');
  await expect(fit.getByTestId('fit-ram')).toContainText(/\d+\.\d KB left \(\d+\.\d% free\)/);
  await expect(fit.getByTestId('fit-method')).toContainText('greedy memory planner');
  const bars = page.getByTestId('chart-live-bytes').locator('.recharts-bar-rectangle');
  await expect(bars.first()).toBeVisible();
  expect(await bars.count()).toBeGreaterThan(5);
  await deploy.scrollIntoViewIfNeeded();
  await deploy.screenshot({ path: shot('deploy-fits.png') });

  // A custom board with 16 KB of RAM cannot hold the arena.
  await fit.getByTestId('fit-board').selectOption('custom');
  await fit.getByTestId('fit-custom-ram').fill('16');
  await fit.getByTestId('fit-custom-flash').fill('1024');
  await expect(fit.getByTestId('fit-verdict')).toHaveAttribute('data-fits', 'false');
  await expect(fit.getByTestId('fit-verdict')).toContainText('Does not fit');
  await expect(fit.getByTestId('fit-ram')).toContainText(/\d+\.\d KB short \(\d+\.\d% over\)/);
  await expect(fit.getByTestId('fit-flash')).toContainText('left');
  await expect(page.getByTestId('chart-live-bytes').locator('.recharts-reference-line')).toHaveCount(2);
  await deploy.screenshot({ path: shot('deploy-custom-16k.png') });
  await page.screenshot({ path: shot('deploy-page.png'), fullPage: true });

  // The tfjs model: model.json + weights.bin in one zip (its reload is checked in tests/unit/tfjs-export.test.ts).
  const zip = await save('download-tfjs-zip');
  expect(zip.name).toBe('custom_cnn_mnist_tfjs.zip');
  expect(zip.bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  expect(zip.bytes.includes(Buffer.from('model.json'))).toBe(true);
  expect(zip.bytes.includes(Buffer.from('weights.bin'))).toBe(true);
  expect(await deploy.getByTestId('export-tfjs-size').getAttribute('title')).toBe(`${zip.bytes.length.toLocaleString('en')} bytes`);

  // The job log: one line per stage with the engine's figures, timed from the job start, and the outcome.
  const log = page.getByTestId('compress-panel').getByTestId('job-log');
  await expect(log.locator('[data-kind="evaluate-after"]')).toContainText(/^\+\d+\.\d s evaluate compressed: 300 images, accuracy \d+\.\d\d% \(\d+\.\d s\)$/);
  await expect(log.locator('[data-kind="calibrate"]')).toContainText('calibrate: on 64 images');
  await expect(log.locator('[data-kind="prune"]')).toContainText(/of weights removed/);
  await expect(log.locator('[data-kind="tflite-choose"]')).toContainText(/time both runtimes: \d+ timed runs/);
  await expect(log.locator('[data-kind="tflite-evaluate"]')).toContainText('TFLite run: 600 inferences');
  await expect(log.locator('[data-kind="finished"]')).toContainText(`TFLite int8 ${real.toFixed(2)}%`);
  await page
    .getByTestId('compress-panel')
    .locator('.run-bar')
    .screenshot({ path: shot('job-log.png') });

  // After a reload the run comes back from the history with its files, and the board from the URL.
  expect(new URL(page.url()).searchParams.get('bd')).toBe('custom');
  expect(new URL(page.url()).searchParams.get('ram')).toBe('16');
  expect(new URL(page.url()).searchParams.get('rt')).toBeNull(); // rt=m, the default, is written as nothing
  await page.reload();
  await expect(deploy.getByTestId('deploy-runtime-reason')).toHaveText(reason);
  await expect(deploy.getByTestId('deploy-int8-accuracy')).toHaveText(`${real.toFixed(2)}%`);
  await expect(deploy.getByTestId('export-int8')).toBeVisible();
  expect((await save('download-int8-tflite')).bytes.equals(tflite.bytes)).toBe(true);
  const float32Again = await save('download-float32-tflite');
  expect(float32Again.bytes.subarray(4, 8).toString('latin1')).toBe('TFL3');
  expect(float32Again.bytes.equals(float32.bytes)).toBe(true);
  expect((await save('download-int8-c')).bytes.equals(source.bytes)).toBe(true);
  expect((await save('download-tfjs-zip')).bytes.equals(zip.bytes)).toBe(true);
  await expect(fit.getByTestId('fit-board')).toHaveValue('custom');
  await expect(fit.getByTestId('fit-custom-ram')).toHaveValue('16');
  await expect(fit.getByTestId('fit-verdict')).toHaveAttribute('data-fits', 'false');
  // The log is of this page's jobs only: none ran since the reload.
  await expect(log.getByTestId('log-line')).toHaveCount(0);

  expect(pageErrors).toEqual([]);
});

test('Deploy: a failing TFLite step is reported and the rest of the run stands', async ({ page }) => {
  test.setTimeout(300_000);
  // The engine worker is served pointing at a TFLite worker script that does not exist, so the
  // TFLite runtime never starts (a nested worker's own request cannot be routed).
  await page.route(/engine\.worker-[^/]*\.js$/, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: (await res.text()).replace(/tflite\.worker-[A-Za-z0-9_-]+\.js/g, 'tflite.worker-missing.js') });
  });
  await openWith(page, link({ ...FAST, tab: 'deploy' }));
  await page.getByTestId('tflite-enabled').check();
  await page.getByTestId('compress-run').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1, { timeout: 150_000 });
  const deploy = page.getByTestId('deploy-section');
  await expect(deploy.getByTestId('deploy-tflite-error')).toBeVisible({ timeout: 5_000 });
  await expect(deploy.getByTestId('deploy-tflite-error')).toContainText('The TFLite runtime could not measure the files.');
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(/%$/);
  await expect(deploy.getByTestId('deploy-runtime')).toHaveCount(0);
  await expect(deploy.getByTestId('export-int8')).toBeVisible();
  await expect(deploy.getByTestId('fit-verdict')).toHaveAttribute('data-fits', 'true');
  await deploy.screenshot({ path: shot('deploy-tflite-error.png') });
});
