/**
 * Finds the Chromium the end-to-end tests and the browser benchmarks drive: CHROMIUM_PATH when set,
 * else the usual system paths (Debian/Ubuntu, snap, Chrome, macOS), else the browser
 * `npx playwright install chromium` downloaded. A newcomer without one is told how to get one in a
 * single line, before any test runs (tools/check/find-browser.ts, the first step of `npm test`).
 */
import { existsSync } from 'node:fs';

/** The usual places, most preferred first (Debian's Chromium is what the project tests with). */
export const SYSTEM_BROWSERS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export const HOW_TO_GET_ONE =
  'No Chromium found: on Debian/Ubuntu run "sudo apt install chromium" (Ubuntu: chromium-browser), on macOS "brew install --cask chromium", or anywhere "npx playwright install chromium"; or set CHROMIUM_PATH to a Chromium or Chrome executable.';

export type BrowserFound = { path: string; source: 'CHROMIUM_PATH' | 'system' | 'playwright' } | { error: string };

export interface FindOptions {
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  /** Where Playwright keeps the Chromium it downloads (playwright-core's chromium.executablePath()). */
  playwrightPath?: () => string | undefined;
}

export function findBrowser(o: FindOptions = {}): BrowserFound {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  const set = env.CHROMIUM_PATH;
  if (set !== undefined && set !== '') {
    // A path the user set that leads nowhere is their mistake: say so rather than quietly use another browser.
    return exists(set) ? { path: set, source: 'CHROMIUM_PATH' } : { error: `CHROMIUM_PATH is ${set}, which does not exist. ${HOW_TO_GET_ONE}` };
  }
  const system = SYSTEM_BROWSERS.find(exists);
  if (system) return { path: system, source: 'system' };
  let downloaded: string | undefined;
  try {
    downloaded = o.playwrightPath?.();
  } catch {
    downloaded = undefined; // playwright-core knows no browser for this platform
  }
  if (downloaded && exists(downloaded)) return { path: downloaded, source: 'playwright' };
  return { error: HOW_TO_GET_ONE };
}

/** The browser's path for a launcher, or the first system path (the launcher then says what is missing). */
export function browserPath(o: FindOptions = {}): string {
  const found = findBrowser(o);
  return 'path' in found ? found.path : SYSTEM_BROWSERS[0];
}
