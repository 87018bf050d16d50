import { defineConfig } from '@playwright/test';
import { chromium } from 'playwright-core';
import { browserPath } from './tools/check/browser';

/**
 * End-to-end tests drive Debian's Chromium against the built app served by `vite preview`
 * (tools/check/browser.ts finds it: CHROMIUM_PATH, Debian's headless shell of Chromium, the system
 * paths, or Playwright's own download where there is no other). WebGL2 works there through SwiftShader; evaluation runs on wasm.
 */
/** E2E_PORT lets two checkouts (or two engineers) run the suite side by side. */
const port = Number(process.env.E2E_PORT ?? 4173);
/** E2E_DIST serves another build folder (`vite build --outDir <dir>`), so builds do not collide. */
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  expect: { timeout: 120_000 },
  // Two browsers at a time. On the 2-core CI machine each page's engine runs wasm on one thread
  // per core, so two compute-heavy tests only take turns (9 of them: 2.25 min one at a time, 2.6
  // min two at a time), but the whole suite, half of it waiting on the page rather than computing,
  // gains: 46 tests in 8.4 min two at a time against 10.1 min one at a time (2026-12-06).
  // E2E_WORKERS=1 runs them one by one.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  // Tests, not files, are shared out between the workers: the long files (workbench, tflite,
  // history) otherwise leave one worker running alone at the end. Every test opens its own page
  // and context, and no test depends on another's state.
  fullyParallel: true,
  reporter: [['list']],
  outputDir: process.env.E2E_RESULTS ?? 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: browserPath({ playwrightPath: () => chromium.executablePath(), headlessShell: true }),
      // --no-turbofan: every test starts its page and workers cold, and V8's optimizing compiler
      // recompiled the same code in each, off the main thread but on the same 2 cores (a traced FAST
      // Compress: 0.4 CPU-s in TurboFan, 0.26 in Maglev, of 4.1). With Maglev as the top tier, ten
      // of the heaviest tests took 181-191 CPU-s against 207-220 (2026-12-07). The figures the tests
      // check do not depend on the tier; speed is measured by the benchmarks, in the browser as shipped.
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--enable-unsafe-swiftshader', '--js-flags=--no-turbofan'],
    },
    viewport: { width: 1280, height: 900 },
  },
  webServer: {
    command: `STUDIO_PREVIEW_GZIP=0 npx vite preview --port ${port} --strictPort --host 127.0.0.1 --outDir ${dist}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
