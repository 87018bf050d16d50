/**
 * Finds the Chromium the end-to-end tests and the browser benchmarks drive: CHROMIUM_PATH when set,
 * else the usual system paths (Debian/Ubuntu, snap, Chrome, macOS), else the browser
 * `npx playwright install chromium` downloaded. A newcomer without one is told how to get one in a
 * single line, before any test runs (tools/check/find-browser.ts, the first step of `npm test`).
 *
 * The end-to-end suite prefers Debian's headless shell of the same Chromium (package
 * chromium-headless-shell: the same Blink and V8 without the browser's own UI, which is also what
 * Playwright drives for headless tests by default). The full browser preloads its omnibox popup, a
 * WebUI page in a renderer of its own, for every new tab even when headless: measured 2026-12-07,
 * a studio page open cost 4.2 CPU-s to ready in the full browser and 1.75 in the shell, and the
 * 46 end-to-end tests 1,072 CPU-s (9.2 min) against 919 (7.9 min), all passing in both. The
 * benchmarks keep the full browser, which is what users run.
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

/** Preferred by the end-to-end suite when present (`findBrowser({ headlessShell: true })`). */
export const HEADLESS_SHELLS: readonly string[] = ['/usr/bin/chromium-headless-shell'];

export const HOW_TO_GET_ONE =
  'No Chromium found: on Debian/Ubuntu run "sudo apt install chromium" (Ubuntu: chromium-browser), on macOS "brew install --cask chromium", or anywhere "npx playwright install chromium"; or set CHROMIUM_PATH to a Chromium or Chrome executable.';

export type BrowserFound = { path: string; source: 'CHROMIUM_PATH' | 'system' | 'playwright' } | { error: string };

export interface FindOptions {
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  /** Where Playwright keeps the Chromium it downloads (playwright-core's chromium.executablePath()). */
  playwrightPath?: () => string | undefined;
  /** Look for a headless shell before the system browsers (the end-to-end suite). */
  headlessShell?: boolean;
}

export function findBrowser(o: FindOptions = {}): BrowserFound {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  const set = env.CHROMIUM_PATH;
  if (set !== undefined && set !== '') {
    // A path the user set that leads nowhere is their mistake: say so rather than quietly use another browser.
    return exists(set) ? { path: set, source: 'CHROMIUM_PATH' } : { error: `CHROMIUM_PATH is ${set}, which does not exist. ${HOW_TO_GET_ONE}` };
  }
  const system = [...(o.headlessShell ? HEADLESS_SHELLS : []), ...SYSTEM_BROWSERS].find(exists);
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
