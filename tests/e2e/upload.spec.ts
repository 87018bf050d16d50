/**
 * Bring your own model (issues 4 and 9): the shipped custom CNN's model.json + weights.bin as the
 * user's upload, and mutations of it. Each malformed upload gives the validator's message naming
 * the problem and the studio keeps working; a user-controlled name is rendered as text only; the
 * valid upload (by drag and drop) compresses to the same figures as the baseline and survives a
 * reload.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { compressOnce, link, openTab, openWith, shot } from './studio-helpers';

const DIR = 'public/models/custom-cnn-mnist';
const MODEL_JSON = readFileSync(`${DIR}/model.json`);
const WEIGHTS = readFileSync(`${DIR}/weights.bin`);

interface Upload {
  name: string;
  bytes: Buffer;
}

const json = (text: string): Upload => ({ name: 'model.json', bytes: Buffer.from(text) });
const weights = (bytes: Buffer = WEIGHTS): Upload => ({ name: 'weights.bin', bytes });

/** The model with its dropout layer turned into a Lambda whose name is markup. */
const EVIL = '<img src=x onerror="window.__pwned=1">';
function lambdaModel(): string {
  const m = JSON.parse(MODEL_JSON.toString('utf8')) as { modelTopology: { config: { layers: Array<{ class_name: string; name: string; config: { name: string }; inbound_nodes: unknown }> } } };
  const text = JSON.stringify(m).replaceAll('"dropout"', JSON.stringify(EVIL));
  const m2 = JSON.parse(text) as typeof m;
  for (const l of m2.modelTopology.config.layers) if (l.config.name === EVIL) l.class_name = 'Lambda';
  return JSON.stringify(m2);
}

async function pick(page: Page, files: Upload[]): Promise<void> {
  await page.getByTestId('upload-input').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: f.bytes })));
}

async function drop(page: Page, files: Upload[]): Promise<void> {
  const dt = await page.evaluateHandle(
    (fs) => {
      const t = new DataTransfer();
      for (const f of fs) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      return t;
    },
    files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') })),
  );
  await page.getByTestId('upload-drop').dispatchEvent('drop', { dataTransfer: dt });
}

const CASES: Array<{ what: string; files: Upload[]; dataset?: string; via: 'pick' | 'drop'; error: RegExp }> = [
  { what: 'malformed model.json', files: [json(MODEL_JSON.toString('utf8').slice(0, 700)), weights()], via: 'drop', error: /model\.json is not valid JSON/ },
  { what: 'short weight file', files: [json(MODEL_JSON.toString('utf8')), weights(WEIGHTS.subarray(0, WEIGHTS.length - 100))], via: 'pick', error: /need 564392 bytes, but weights\.bin hold 564292/ },
  { what: 'missing weight file', files: [json(MODEL_JSON.toString('utf8'))], via: 'pick', error: /the weights file "weights\.bin" is missing; supplied: none/ },
  { what: 'no model.json', files: [weights()], via: 'drop', error: /No model\.json among the files \(weights\.bin\)/ },
  { what: 'unsupported layer', files: [json(lambdaModel()), weights()], via: 'drop', error: /unsupported layer "<img src=x onerror="window.__pwned=1">" of class Lambda/ },
  { what: 'input shape of another dataset', files: [json(MODEL_JSON.toString('utf8')), weights()], dataset: 'cifar10', via: 'pick', error: /the model takes 28x28x1 images, but CIFAR-10 images are 32x32x3/ },
];

test('a malformed uploaded model gives its error, and a valid upload works', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link());
  await compressOnce(page, 1);
  const baselineAccuracy = await page.getByTestId('compress-after-accuracy').innerText();

  await openTab(page, 'upload');
  const panel = page.getByTestId('upload-panel');
  for (const c of CASES) {
    await panel.getByTestId('upload-dataset').selectOption(c.dataset ?? 'mnist');
    await (c.via === 'drop' ? drop(page, c.files) : pick(page, c.files));
    await expect(panel.getByTestId('upload-error'), c.what).toContainText(c.error);
    await expect(page.locator('.user-model'), c.what).toHaveCount(0);
    if (c.what === 'unsupported layer') await panel.screenshot({ path: shot('upload-error-panel.png') });
  }
  // The layer name was shown as text, never as markup.
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.locator('.upload img')).toHaveCount(0);

  // The studio kept working: the valid model, dropped for MNIST, is validated, kept and selected.
  await panel.getByTestId('upload-dataset').selectOption('mnist');
  await drop(page, [json(MODEL_JSON.toString('utf8')), weights()]);
  await expect(panel.getByTestId('upload-ok')).toContainText('Added “model (MNIST)”');
  await expect(panel.getByTestId('upload-error')).toHaveCount(0);
  const mine = page.locator('.user-model');
  await expect(mine).toHaveCount(1);
  await expect(mine.locator('input[type=radio]')).toBeChecked();
  await expect(mine).toContainText('uploaded');
  await expect(page).toHaveURL(/m=upload-/);

  // Same weights, same recipe: the same figures as the shipped baseline.
  await compressOnce(page, 2);
  await expect(page.getByTestId('history-row').first()).toContainText('model (MNIST)');
  await expect(page.getByTestId('compress-summary')).toContainText('model (MNIST) on mnist');
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(baselineAccuracy);
  await page.screenshot({ path: shot('studio-full-after-upload-run.png'), fullPage: true });
  await page.getByTestId('compress-panel').getByText('Per-layer sparsity').click();
  await expect(page.getByTestId('override-block1_conv')).toBeVisible();

  // Kept across a reload, still selected (the URL names it).
  await page.reload();
  await expect(page.locator('.user-model')).toHaveCount(1);
  await expect(page.locator('.user-model input[type=radio]')).toBeChecked();
  await page.getByTestId('upload-panel').screenshot({ path: shot('upload-panel.png') });
  await page
    .getByRole('heading', { name: 'Model', exact: true })
    .locator('..')
    .screenshot({ path: shot('model-picker-with-upload.png') });
  // Removing it selects a baseline again.
  await page.locator('.user-model').getByRole('button', { name: 'Remove' }).click();
  await expect(page.locator('.user-model')).toHaveCount(0);
  await expect(page.locator('input[name=model]:checked')).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});

/**
 * Issue 21: real tfjs models as real writers lay them out (tools/fixtures/tfjs-variants.ts, the
 * shipped CNN's weights). A browser save (`./my-model.weights.bin`) dropped, the Python
 * converter's Keras 2 nesting picked as files, and a model folder with its shards in a sub-folder
 * chosen with the folder picker: each is added, and the folder one compresses to the baseline's
 * figures.
 */
test('real-world tfjs layouts are accepted by drop, file choice and folder choice, and evaluate as the baseline', async ({ page }) => {
  test.setTimeout(300_000);
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { tfjsVariants } = await import('../../tools/fixtures/tfjs-variants');
  const variants = new Map(tfjsVariants({ modelJson: MODEL_JSON.toString('utf8'), weights: new Uint8Array(WEIGHTS) }).map((v) => [v.id, v]));
  const filesOf = (id: string): Upload[] => Object.entries(variants.get(id)!.files).map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes) }));
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openWith(page, link());
  await compressOnce(page, 1);
  const baselineAccuracy = await page.getByTestId('compress-after-accuracy').innerText();

  await openTab(page, 'upload');
  const panel = page.getByTestId('upload-panel');
  await panel.getByTestId('upload-dataset').selectOption('mnist');
  await drop(page, filesOf('tfjs-4.22-browser-save'));
  await expect(panel.getByTestId('upload-ok')).toContainText('Added “my-model (MNIST)”');
  await pick(page, filesOf('converter-3.x-keras-2.11-functional'));
  await expect(panel.getByTestId('upload-ok')).toContainText('Added “model (MNIST)”');

  const root = mkdtempSync(join(tmpdir(), 'studio-folder-'));
  for (const [name, bytes] of Object.entries(variants.get('subfolder-dropped-folder')!.files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), bytes);
  }
  await panel.getByTestId('upload-folder-input').setInputFiles(join(root, 'mnist-model'));
  await expect(panel.getByTestId('upload-ok')).toContainText('Added “model (MNIST)”');
  await expect(panel.getByTestId('upload-error')).toHaveCount(0);
  await expect(page.locator('.user-model')).toHaveCount(3);

  await compressOnce(page, 2);
  await expect(page.getByTestId('compress-after-accuracy')).toHaveText(baselineAccuracy);
  expect(pageErrors).toEqual([]);
});
