/**
 * The browser finder (tools/check/browser.ts) that `npm test` runs first: CHROMIUM_PATH, then the
 * system paths in order (for the end-to-end suite, Debian's headless shell first), then Playwright's download; with none, one line with the three ways to
 * get one. A CHROMIUM_PATH that leads nowhere is refused, never replaced by another browser.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findBrowser, HOW_TO_GET_ONE, SYSTEM_BROWSERS } from '../../tools/check/browser';
import { ROOT } from '../../tools/cli/node-io';

const on =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);
const PW = '/home/x/.cache/ms-playwright/chromium-1200/chrome-linux/chrome';

describe('findBrowser', () => {
  it('takes CHROMIUM_PATH first, and refuses one that does not exist', () => {
    expect(findBrowser({ env: { CHROMIUM_PATH: '/opt/c/chrome' }, exists: on('/opt/c/chrome', '/usr/bin/chromium') })).toEqual({ path: '/opt/c/chrome', source: 'CHROMIUM_PATH' });
    const r = findBrowser({ env: { CHROMIUM_PATH: '/opt/none' }, exists: on('/usr/bin/chromium') });
    expect(r).toEqual({ error: expect.stringMatching(/^CHROMIUM_PATH is \/opt\/none, which does not exist\. No Chromium found/) });
  });

  it('then the system paths, in order: Debian’s chromium before Chrome and macOS', () => {
    expect(findBrowser({ env: {}, exists: on('/usr/bin/google-chrome', '/usr/bin/chromium') })).toEqual({ path: '/usr/bin/chromium', source: 'system' });
    expect(findBrowser({ env: {}, exists: on('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome') })).toMatchObject({ source: 'system' });
    expect(SYSTEM_BROWSERS[0]).toBe('/usr/bin/chromium');
  });

  it('for the end-to-end suite, Debian’s headless shell first, then the same order; CHROMIUM_PATH still wins', () => {
    const all = on('/usr/bin/chromium-headless-shell', '/usr/bin/chromium');
    expect(findBrowser({ env: {}, exists: all, headlessShell: true })).toEqual({ path: '/usr/bin/chromium-headless-shell', source: 'system' });
    expect(findBrowser({ env: {}, exists: all })).toEqual({ path: '/usr/bin/chromium', source: 'system' });
    expect(findBrowser({ env: {}, exists: on('/usr/bin/chromium'), headlessShell: true })).toEqual({ path: '/usr/bin/chromium', source: 'system' });
    expect(findBrowser({ env: { CHROMIUM_PATH: '/opt/c/chrome' }, exists: on('/opt/c/chrome', '/usr/bin/chromium-headless-shell'), headlessShell: true })).toEqual({ path: '/opt/c/chrome', source: 'CHROMIUM_PATH' });
  });

  it('then the browser Playwright downloaded, if it is there', () => {
    expect(findBrowser({ env: {}, exists: on(PW), playwrightPath: () => PW })).toEqual({ path: PW, source: 'playwright' });
    expect(findBrowser({ env: {}, exists: on(), playwrightPath: () => PW })).toEqual({ error: HOW_TO_GET_ONE });
    expect(
      findBrowser({
        env: {},
        exists: on(),
        playwrightPath: () => {
          throw new Error('unsupported platform');
        },
      }),
    ).toEqual({ error: HOW_TO_GET_ONE });
  });

  it('says in one line how to get one on Debian/Ubuntu, on macOS and with Playwright', () => {
    expect(HOW_TO_GET_ONE).not.toContain('\n');
    expect(HOW_TO_GET_ONE).toMatch(/apt install chromium/);
    expect(HOW_TO_GET_ONE).toMatch(/brew install --cask chromium/);
    expect(HOW_TO_GET_ONE).toMatch(/npx playwright install chromium/);
  });

  it('npm run check-browser exits 1 with that line when nothing is found, before any test runs', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/check/find-browser.ts'], { cwd: ROOT, env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('npx playwright install chromium');
  }, 60_000);
});
