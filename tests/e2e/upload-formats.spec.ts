/**
 * Issue 21: one file of each new format through the real upload (tests/fixtures/formats/, made
 * with torch, h5py and the studio's writer). Each is detected from its bytes (the names here say
 * nothing), added and described; the ONNX model trained on standardised inputs, uploaded as if
 * scaled 0-1, gets the studio's proposal from 200 training images, which the user takes; a Keras
 * 3 model then compresses like a baseline; a damaged file is refused by name.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { compressOnce, link, openTab, openWith, shot } from './studio-helpers';

const file = (name: string) => readFileSync(`tests/fixtures/formats/${name}`);

async function pick(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByTestId('upload-input').setInputFiles([{ name, mimeType: 'application/octet-stream', buffer: bytes }]);
}

async function drop(page: Page, name: string, bytes: Buffer): Promise<void> {
  const dt = await page.evaluateHandle(
    (f) => {
      const t = new DataTransfer();
      t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      return t;
    },
    { name, b64: bytes.toString('base64') },
  );
  await page.getByTestId('upload-drop').dispatchEvent('drop', { dataTransfer: dt });
}

test('a .keras, an .h5, a float .tflite and an ONNX file are each read, checked and kept', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link());
  await openTab(page, 'upload');
  const panel = page.getByTestId('upload-panel');
  await panel.getByTestId('upload-dataset').selectOption('mnist');
  await panel.getByTestId('upload-scaling').selectOption('unit');

  const cases: Array<{ name: string; fixture: string; via: 'pick' | 'drop'; format: string }> = [
    { name: 'cnn.keras', fixture: 'mnist-cnn.keras', via: 'drop', format: 'Keras 3 .keras' },
    { name: 'cnn.h5', fixture: 'mnist-cnn.h5', via: 'pick', format: 'Keras 2 .h5' },
    { name: 'cnn.tflite', fixture: 'mnist-cnn-converter.tflite', via: 'pick', format: 'TFLite (float)' },
    { name: 'model.bin', fixture: 'mnist-resnet.onnx', via: 'drop', format: 'ONNX' },
  ];
  for (const [i, c] of cases.entries()) {
    await (c.via === 'drop' ? drop : pick)(page, c.name, file(c.fixture));
    await expect(panel.getByTestId('upload-ok'), c.name).toContainText(`Added “${c.name.replace(/\.(keras|h5|tflite)$/, '')} (MNIST)”`);
    await expect(page.locator('.user-model'), c.name).toHaveCount(i + 1);
    // The new model is selected; its format is in the details line under the tiles.
    await expect(page.getByTestId('model-details'), c.name).toContainText(c.format);
    await expect(panel.getByTestId('scaling-proposal'), c.name).toBeVisible();
  }
  // The torch ResNet was trained on standardised inputs: the studio says so and offers the switch.
  await expect(panel.getByTestId('scaling-differs')).toContainText('The studio proposes the dataset’s mean and standard deviation');
  await panel.screenshot({ path: shot('upload-scaling-proposal.png') });
  await panel.getByTestId('scaling-use').click();
  await expect(panel.getByTestId('scaling-agrees')).toBeVisible();
  await expect(page.getByTestId('model-details')).toContainText('inputs the dataset’s mean and standard deviation');

  // A damaged file is refused by name, and the studio keeps working.
  await pick(page, 'broken.keras', file('mnist-cnn.keras').subarray(0, 20_000));
  await expect(panel.getByTestId('upload-error')).toContainText('broken.keras: the .keras archive cannot be unpacked');

  // The Keras 3 model compresses like a baseline.
  await page.locator('.user-model').first().locator('input[type=radio]').check();
  await compressOnce(page, 1);
  await expect(page.getByTestId('compress-summary')).toContainText('cnn (MNIST) on mnist');
  const after = Number((await page.getByTestId('compress-after-accuracy').innerText()).replace(/[^0-9.]/g, ''));
  // 50% pruned and int8 (the FAST recipe) from 96.4% float: a real, measured figure.
  expect(after).toBeGreaterThan(80);
  await page.screenshot({ path: shot('studio-after-keras-upload-run.png'), fullPage: true });
  expect(pageErrors).toEqual([]);
});
