/**
 * Which kernels a TFLite wasm runtime actually runs: a V8 CPU profile of the studio's TFLite worker
 * while it times one baseline's int8 or float32 .tflite (batch 1, zero input), with each hot wasm
 * function's SIMD instructions (bench/lib/wasm-functions.ts), and the runtime's console output.
 * This is how README's "Why LiteRT.js' int8 gains 3x on one CPU and 1.3x on another" was found:
 * with AVX-VNNI the hot int8 function uses the relaxed int8 dot product, without it (try
 * --js-flags "--no-enable-avx-vnni") XNNPACK falls back to a SIMD128 kernel of i16 dot products.
 *
 *   npx tsx bench/tflite-cpu-profile.ts [--model custom-cnn-mnist] [--only int8|float32] [--runtime litert|tfjs-tflite]
 *        [--runs 2000] [--top 12] [--js-flags "--no-enable-avx-vnni"] [--save out-prefix] [--prof-out file.cpuprofile]
 *
 * Build the studio first into --dist (default .cache/tflite-bench, as npm run bench:tflite does).
 * Profiles and percentages are diagnostics, not speed figures.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { exportCompressed } from '../src/engine/export/compress-exports';
import { compressBaseline, type CompressedModels } from '../src/engine/jobs/compress';
import { withDefaults } from '../src/engine/jobs/compress-settings';
import { prepareTrainingBackend } from '../src/engine/train/training-backend';
import type { TfliteWorkerRequest } from '../src/workers/tflite-protocol';
import { readIndex, readPublic, ROOT } from '../tools/cli/node-io';
import { simdOpsByFunction } from './lib/wasm-functions';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const modelId = flag('model', 'custom-cnn-mnist')!;
const runtime = (flag('runtime', 'litert') ?? 'litert') as 'litert' | 'tfjs-tflite';
const distDir = flag('dist', '.cache/tflite-bench')!;
const assets = join(ROOT, distDir, 'assets');
const tfliteWorker = readdirSync(assets).find((f) => /^tflite\.worker-.*\.js$/.test(f))!;

async function main() {
  await prepareTrainingBackend('wasm');
  const entry = (await readIndex()).models.find((m) => m.id === modelId)!;
  let models: CompressedModels | undefined;
  await compressBaseline(entry, withDefaults({ prune: { method: 'none' }, quant: { mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: 200 } }, evalLimit: 50, latencyRuns: 2 }), {
    read: readPublic,
    onModels: (m) => (models = m),
  });
  const ex = exportCompressed(models!);
  const files = ex.models.filter((m) => m.label === 'int8' || m.label === 'float32').map((m) => ({ label: m.label, bytes: m.bytes }));
  if (flag('save')) for (const f of files) writeFileSync(`${flag('save')}-${f.label}.tflite`, f.bytes);
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: distDir }, preview: { port: 4191, strictPort: false, host: '127.0.0.1', open: false } });
  const base = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', ...(flag('js-flags') ? [`--js-flags=${flag('js-flags')}`] : [])] });
  try {
    const page = await browser.newPage();
    // Worker messages reach the page's console too: keep each line once.
    const seen = new Set<string>();
    page.on('console', (m) => {
      if (!seen.has(m.text())) console.log(`[console] ${m.text()}`);
      seen.add(m.text());
    });
    await page.goto(base);
    const cdp = await page.context().newCDPSession(page);
    let sessionId: string | undefined;
    let nextId = 1;
    const pending = new Map<number, (v: unknown) => void>();
    cdp.on('Target.receivedMessageFromTarget', (ev: { sessionId: string; message: string }) => {
      const msg = JSON.parse(ev.message);
      if (msg.id && pending.has(msg.id)) {
        pending.get(msg.id)!(msg.result ?? msg.error);
        pending.delete(msg.id);
      }
    });
    const send = (method: string, params: object = {}) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CDP replies are untyped JSON read field by field below
      new Promise<any>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        void cdp.send('Target.sendMessageToTarget', { sessionId: sessionId!, message: JSON.stringify({ id, method, params }) });
      });
    const attached = new Promise<void>((resolve) =>
      cdp.on('Target.attachedToTarget', async (ev: { sessionId: string; targetInfo: { type: string } }) => {
        if (ev.targetInfo.type !== 'worker') return;
        sessionId = ev.sessionId;
        await send('Profiler.enable');
        await send('Profiler.setSamplingInterval', { interval: 100 });
        await send('Profiler.start');
        await send('Runtime.runIfWaitingForDebugger');
        resolve();
      }),
    );
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    const wasmFolder = runtime === 'litert' ? 'litert-wasm/' : 'tflite-wasm/';
    const only = flag('only');
    const group = only ? files.filter((f) => f.label === only) : files;
    const req: TfliteWorkerRequest = { kind: 'time', groups: [group], runs: Number(flag('runs', '300')), warmup: 20, runtime, wasmPath: new URL(wasmFolder, base).href, numThreads: 1 };
    const done = page.evaluate(
      ([url, request]) =>
        new Promise<unknown>((resolve, reject) => {
          const w = new Worker(url, { type: 'module' });
          (globalThis as unknown as { __w: Worker }).__w = w;
          w.onerror = (e) => reject(new Error(e.message));
          w.onmessage = (ev) => {
            if (ev.data.kind === 'progress') return;
            if (ev.data.kind === 'error') reject(new Error(ev.data.error.message));
            else resolve(ev.data.timings);
          };
          w.postMessage(request);
        }),
      [`${base}assets/${tfliteWorker}`, req] as const,
    );
    await attached;
    const timings = await done;
    console.log(JSON.stringify(timings));
    const prof = (await send('Profiler.stop')) as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; hitCount: number; children?: number[] }>; samples: number[] } };
    const self = new Map<string, number>();
    let total = 0;
    let idle = 0;
    for (const n of prof.profile.nodes) {
      const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}`;
      self.set(k, (self.get(k) ?? 0) + n.hitCount);
      total += n.hitCount;
      if (n.callFrame.functionName === '(idle)') idle += n.hitCount;
    }
    const wasmFile = runtime === 'litert' ? 'litert_wasm_internal.wasm' : 'tflite_web_api_cc_simd.wasm';
    const ops = simdOpsByFunction(new Uint8Array(readFileSync(join(ROOT, 'public', runtime === 'litert' ? 'litert-wasm' : 'tflite-wasm', wasmFile))));
    const top = [...self]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(flag('top', '12')));
    console.log(`\n${total} samples, ${(((total - idle) / total) * 100).toFixed(0)}% busy; share of busy samples (self time), and each wasm function's SIMD instructions (${wasmFile}):`);
    for (const [k, v] of top) {
      const idx = /^wasm-function\[(\d+)\]/.exec(k);
      const simd = idx
        ? Object.entries(ops.get(Number(idx[1])) ?? {})
            .map(([op, c]) => `${c} ${op}`)
            .join(', ')
        : '';
      console.log(`${((v / (total - idle)) * 100).toFixed(1).padStart(6)}%  ${k}${simd ? `   [${simd}]` : ''}`);
    }
    if (flag('prof-out')) writeFileSync(flag('prof-out')!, JSON.stringify(prof.profile));
    await page.evaluate(() => (globalThis as unknown as { __w: Worker }).__w.terminate());
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
