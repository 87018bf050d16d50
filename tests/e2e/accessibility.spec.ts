/**
 * Accessibility (issue 19): axe finds no serious or critical violation on the workbench and on
 * every tab's panel after a run, in both the normal and the lecture mode.
 */
import { expect, test } from '@playwright/test';
import { TAB_IDS } from '../../src/state/ui-slice';
import { axe, compressOnce, FAST, link, openWith } from './studio-helpers';

test('axe: no serious or critical violation on the workbench and any tab, after a run', async ({ page }) => {
  test.setTimeout(300_000);
  await openWith(page, link(FAST));
  await compressOnce(page, 1);
  const bad: string[] = [];
  const check = async (what: string, include?: string) => {
    const r = await (include ? axe(page).include(include) : axe(page).exclude('.tab-panels')).analyze();
    for (const v of r.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
      bad.push(
        `${what}: ${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
      );
    }
  };
  // The workbench and the tab strip once per mode; each tab's panel while it is open.
  for (const lecture of [false, true]) {
    if (lecture) await page.getByTestId('lecture-toggle').check();
    await check(lecture ? 'lecture mode, workbench' : 'workbench');
    for (const t of TAB_IDS) {
      const tab = page.getByTestId(`tab-${t}`);
      if (!(await tab.isVisible())) continue;
      await tab.click();
      await expect(page.getByTestId(`tabpanel-${t}`)).toBeVisible();
      if (!lecture) await check(`tab ${t}`, `#tabpanel-${t}`);
    }
  }
  expect(bad).toEqual([]);
});
