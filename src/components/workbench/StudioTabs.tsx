import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useStudio } from '../../state/store';
import { TAB_IDS, TABS, type TabId } from '../../state/ui-slice';

export const tabId = (t: TabId) => `tab-${t}`;
export const panelId = (t: TabId) => `tabpanel-${t}`;

/**
 * The tab strip under the workbench (WAI-ARIA tabs: arrow keys, Home and End move between tabs,
 * only the open tab is in the Tab order). It sticks to the top of the window once the page is
 * scrolled, so every tab stays one click away; opening a tab scrolls its panel into view.
 */
export function TabStrip() {
  const tab = useStudio((s) => s.tab);
  const setTab = useStudio((s) => s.setTab);
  const refs = useRef(new Map<TabId, HTMLButtonElement>());
  const open = (t: TabId, focus: boolean) => {
    setTab(t);
    if (focus) refs.current.get(t)?.focus();
    document.getElementById(panelId(t))?.scrollIntoView({ block: 'nearest' });
  };
  const onKey = (e: KeyboardEvent) => {
    // Tabs hidden in lecture mode are skipped.
    const shown = TAB_IDS.filter((t) => refs.current.get(t)?.offsetParent !== null);
    const at = shown.indexOf(tab);
    const to = e.key === 'ArrowRight' ? shown[(at + 1) % shown.length] : e.key === 'ArrowLeft' ? shown[(at - 1 + shown.length) % shown.length] : e.key === 'Home' ? shown[0] : e.key === 'End' ? shown[shown.length - 1] : undefined;
    if (!to) return;
    e.preventDefault();
    open(to, true);
  };
  return (
    <div className="tab-strip" role="tablist" aria-label="Views" onKeyDown={onKey}>
      {TABS.map(({ id: t, label, ...rest }) => (
        <button
          key={t}
          ref={(el) => {
            if (el) refs.current.set(t, el);
          }}
          type="button"
          role="tab"
          id={tabId(t)}
          aria-selected={t === tab}
          aria-controls={panelId(t)}
          tabIndex={t === tab ? 0 : -1}
          className={`tab${'advanced' in rest ? ' advanced' : ''}`}
          data-testid={tabId(t)}
          onClick={() => open(t, false)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** Every tab's panel stays mounted (its state and results kept); only the open one is shown. */
export function TabPanels({ panels }: { panels: Record<TabId, ReactNode> }) {
  const tab = useStudio((s) => s.tab);
  return (
    <div className="tab-panels">
      {TAB_IDS.map((t) => (
        <div key={t} role="tabpanel" id={panelId(t)} aria-labelledby={tabId(t)} hidden={t !== tab} className="tab-panel" data-testid={panelId(t)}>
          {panels[t]}
        </div>
      ))}
    </div>
  );
}
