/**
 * The URL and the store in step: the query string is read once at start-up (settings, model,
 * Deploy choices, lecture mode, the open tab and tour step, run=1), then rewritten (history.replaceState) whenever those change, so the
 * address bar is always a link to what is on screen. run=1 is never written back: a link runs
 * once, not on every reload.
 */
import { decodeUrlState, encodeUrlState, UI_FIELDS } from './url-state';
import { useStudio } from './store';
import { enterTourStep } from './tour';

let runPending = false;

/** Applies the page's query string to the store and starts following the store. Returns the unsubscribe. */
export function startUrlSync(): () => void {
  const d = decodeUrlState(window.location.search);
  const s = useStudio.getState();
  if (d.lecture) s.setLecture(true);
  if (d.newerVersion) s.notify('url', `This link was made by a newer version of the studio (v${d.newerVersion.slice(0, 10)}); its settings were not applied.`);
  else if (d.present) {
    if (d.modelId) s.select(d.modelId);
    useStudio.getState().replaceSettings(d.settings, d.backend);
    s.setDeploy(d.deploy);
    runPending = d.run;
  }
  // Unknown keys are named when the link holds settings; a bad tab= or tour= is named always.
  const viewKeys = new Set(UI_FIELDS.map((f) => f.key));
  const unread = d.present ? d.ignored : d.ignored.filter((k) => viewKeys.has(k));
  if (!d.newerVersion && unread.length) s.notify('url', `This link’s values for ${unread.slice(0, 8).join(', ')} could not be read and were left at their defaults.`);
  if (!d.newerVersion) {
    s.setTab(d.ui.tab);
    s.setLivePreview(d.ui.livePreview);
    // A tour step's link opens the step: its recipe replaces the link's settings.
    if (d.ui.tour) enterTourStep(d.ui.tour);
  }
  const write = () => {
    const st = useStudio.getState();
    const q = encodeUrlState({ modelId: st.selectedId, settings: st.compressSettings, backend: st.compressBackend, deploy: st.deploy, ui: { tab: st.tab, tour: st.tour, livePreview: st.livePreview }, run: false, lecture: st.lecture });
    const url = `${window.location.pathname}?${q}${window.location.hash}`;
    if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) window.history.replaceState(window.history.state, '', url);
  };
  // At once, so run=1 leaves the address bar before the run starts.
  write();
  return useStudio.subscribe((st, prev) => {
    if (
      st.compressSettings !== prev.compressSettings ||
      st.selectedId !== prev.selectedId ||
      st.compressBackend !== prev.compressBackend ||
      st.deploy !== prev.deploy ||
      st.lecture !== prev.lecture ||
      st.tab !== prev.tab ||
      st.tour !== prev.tour ||
      st.livePreview !== prev.livePreview
    )
      write();
  });
}

/** A link to the current settings; with `run`, one that runs them as soon as it opens. */
export function shareLink(run: boolean): string {
  const st = useStudio.getState();
  const q = encodeUrlState({ modelId: st.selectedId, settings: st.compressSettings, backend: st.compressBackend, deploy: st.deploy, ui: { tab: st.tab, tour: st.tour, livePreview: st.livePreview }, run, lecture: st.lecture });
  return `${window.location.origin}${window.location.pathname}?${q}`;
}

/**
 * Once baselines and the user's models are known: a link's model that is not here is reported
 * (and the first baseline selected), and run=1 starts the compression.
 */
export function modelsReady(run: () => void): void {
  const s = useStudio.getState();
  const known = (id?: string) => !!id && (s.baselines.some((b) => b.id === id) || s.userModels.some((m) => m.id === id));
  if (!known(s.selectedId)) {
    const missing = s.selectedId;
    const first = s.baselines[0]?.id;
    if (missing)
      s.notify(
        'url-model',
        `This link names the model “${missing}”, which is not in this studio${missing.startsWith('upload-') || missing.startsWith('trained-') ? ' (it was uploaded or trained in another browser)' : ''}; ${first ?? 'another model'} is selected instead.`,
      );
    if (first) {
      const settings = s.compressSettings;
      s.select(first);
      // Keep the link's settings (select() drops per-layer overrides meant for another model).
      useStudio.getState().replaceSettings({ ...settings, prune: { ...settings.prune, overrides: {} } });
    }
    runPending = false;
  }
  if (runPending) {
    runPending = false;
    run();
  }
}
