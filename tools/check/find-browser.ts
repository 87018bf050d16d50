/**
 * `npm run check-browser`, the first step of `npm test`: prints the Chromium the end-to-end tests
 * will drive, or one line saying how to get one and exits 1, before anything slow runs.
 */
import { chromium } from 'playwright-core';
import { findBrowser } from './browser';

const found = findBrowser({ playwrightPath: () => chromium.executablePath(), headlessShell: true });
if ('error' in found) {
  console.error(found.error);
  process.exit(1);
}
console.log(`browser: ${found.path} (${found.source === 'CHROMIUM_PATH' ? 'from CHROMIUM_PATH' : found.source === 'system' ? 'installed on the system' : 'installed by Playwright'})`);
