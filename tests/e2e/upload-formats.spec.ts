/**
 * Issue 21: one file of each new format through the real upload (tests/fixtures/formats/, made
 * with torch, h5py and the studio's writer). Each is detected from its bytes (the names here say
 * nothing), added and described; the ONNX model trained on standardised inputs, uploaded as if
 * scaled 0-1, gets the studio's proposal from 200 training images, which the user takes; a Keras
 * 3 model then compresses like a baseline; a damaged file is refused by name.
 *
 * Then the issue's "done when", in the browser: an ONNX, a Keras 3 and a float .tflite CNN each
 * evaluate in the engine worker to torch's own accuracy (reference.json, MNIST test 0-499) and
 * compress to a real int8 .tflite that agrees on LiteRT.js with the simulated int8 model within
 * the shipped baselines' bounds (tests/e2e/tflite.spec.ts: 0.3 points, 99% of predictions).
 * The float .tflite fixtures, written from the format's specification by the studio's own writer,
 * are cross-checked with an independent reader: LiteRT.js runs them to torch's accuracy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { scalingPreprocessing } from '../../src/engine/choices/input-scaling';
import type { TfliteEvalResult } from '../../src/engine/jobs/tflite-eval';
import type { BaselineIndex } from '../../src/engine/types';
import type { CompressJobResult, WorkerRequest, WorkerResponse } from '../../src/workers/protocol';
import type { TfliteWorkerRequest, TfliteWorkerResponse } from '../../src/workers/tflite-protocol';
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

const REF = JSON.parse(readFileSync('tests/fixtures/formats/reference.json', 'utf8')) as Record<string, { preprocessing: 'scale' | 'standardize'; accuracy: number }>;
const assets = readdirSync(join(process.env.E2E_DIST ?? 'dist', 'assets'));
const workerFile = assets.find((f) => /^engine\.worker-.*\.js$/.test(f));
const tfliteWorkerFile = assets.find((f) => /^tflite\.worker-.*\.js$/.test(f));

test('the float .tflite fixtures run on LiteRT.js (an independent reader) to torch’s accuracy', async ({ page }) => {
  // The custom CNN's entry gives the MNIST test records and the 0-1 scaling these three were trained on.
  const entry = (JSON.parse(readFileSync('public/models/index.json', 'utf8')) as BaselineIndex).models.find((m) => m.id === 'custom-cnn-mnist')!;
  const names = ['mnist-cnn.tflite', 'mnist-cnn-converter.tflite', 'mnist-dw.tflite'];
  await page.goto('/?bench'); // a host page for the worker: no live picture, preview or warm-up sharing the machine
  const r = await page.evaluate(
    ([url, req]) =>
      new Promise<TfliteEvalResult>((resolve, reject) => {
        const w = new Worker(url, { type: 'module' });
        w.onmessage = (ev: MessageEvent<TfliteWorkerResponse>) => {
          if (ev.data.kind === 'result') resolve(ev.data.result);
          else if (ev.data.kind === 'error') reject(new Error(ev.data.error.message));
          if (ev.data.kind !== 'progress') w.terminate();
        };
        w.postMessage({ ...req, models: req.models.map((m) => ({ label: m.label, bytes: new Uint8Array(m.bytes) })), wasmPath: new URL('/litert-wasm/', location.href).href });
      }),
    [
      `/assets/${tfliteWorkerFile}`,
      {
        kind: 'evaluate',
        entry,
        runtime: 'litert',
        wasmPath: '',
        settings: { limit: 500, latencyRuns: 1, warmup: 0 },
        models: names.map((n) => ({ label: n, bytes: Array.from(file(n)) as unknown as Uint8Array })),
      } satisfies TfliteWorkerRequest,
    ] as const,
  );
  for (const n of names) expect(r.models.find((m) => m.label === n)?.metrics.accuracy, n).toBe(REF[n.replace(/(-converter)?\.tflite$/, '')].accuracy);
});

test('an ONNX, a Keras 3 and a float .tflite CNN evaluate to torch’s accuracy and compress to an int8 .tflite that agrees on LiteRT.js', async ({ page }) => {
  test.setTimeout(300_000);
  expect(workerFile, 'run "vite build" first: dist/assets has no engine worker').toBeTruthy();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?bench'); // a host page for the worker: no live picture, preview or warm-up sharing the machine
  // mnist-dw.keras ends in a softmax, which the int8 model leaves out; the .tflite is converter-shaped.
  for (const [i, fixture] of ['mnist-cnn.onnx', 'mnist-dw.keras', 'mnist-cnn-converter.tflite'].entries()) {
    const ref = REF[fixture.replace(/(-converter)?\.\w+$/, '')];
    const request: WorkerRequest = {
      v: 1,
      kind: 'job',
      id: i + 1,
      job: {
        type: 'compress',
        modelId: `upload-${i}`,
        backend: 'wasm',
        settings: { prune: { method: 'none' }, quant: { mode: 'int8' }, evalLimit: 500, latencyRuns: 3 },
        tflite: { evaluate: true, latencyRuns: 5, io: 'float', runtime: 'litert' },
        upload: { id: `upload-${i}`, dataset: 'mnist', files: [], preprocessing: scalingPreprocessing(ref.preprocessing === 'scale' ? 'unit' : 'dataset', 'mnist') },
      },
    };
    const r = await page.evaluate(
      ([url, req, b64]) =>
        new Promise<Pick<CompressJobResult, 'tflite' | 'tfliteError'> & { float: number; simulated: number }>((resolve, reject) => {
          const w = new Worker(url, { type: 'module' });
          w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
          w.onmessage = (ev: MessageEvent<WorkerResponse>) => {
            const m = ev.data;
            if (m.kind === 'progress') return;
            w.terminate();
            if (m.kind === 'error') return reject(new Error(`${m.error.code}: ${m.error.message}`));
            const c = m.result as CompressJobResult;
            resolve({ float: c.before.metrics.accuracy, simulated: c.after.metrics.accuracy, tfliteError: c.tfliteError, tflite: c.tflite && { ...c.tflite, models: c.tflite.models.map((x) => ({ ...x, predictions: new Uint8Array(0) })) } });
          };
          const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          if (req.kind === 'job' && req.job.type === 'compress') req.job.upload!.files = [{ name: 'model.bin', bytes: bytes.buffer }];
          w.postMessage(req, [bytes.buffer]);
        }),
      [`/assets/${workerFile}`, request, file(fixture).toString('base64')] as const,
    );
    expect(r.tfliteError, fixture).toBeUndefined();
    const int8 = r.tflite!.models.find((x) => x.label === 'int8')!;
    const f32 = r.tflite!.models.find((x) => x.label === 'float32')!;
    console.log(`${fixture}: torch ${ref.accuracy}, studio float ${r.float}, simulated int8 ${r.simulated}, LiteRT.js int8 ${int8.metrics.accuracy} (agreement ${int8.agreement!.fraction}), float32 ${f32.metrics.accuracy}`);
    // Its own framework's accuracy, on the same 500 records.
    expect(r.float, fixture).toBe(ref.accuracy);
    expect(r.tflite!.testRecords.count).toBe(500);
    expect(Math.abs(int8.metrics.accuracy - r.simulated) * 100, fixture).toBeLessThanOrEqual(0.3);
    expect(int8.agreement!.fraction, fixture).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(f32.metrics.accuracy - r.float) * 100, fixture).toBeLessThanOrEqual(0.2);
  }
  expect(errors).toEqual([]);
});
