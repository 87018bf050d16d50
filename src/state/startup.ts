/**
 * Start-up, once per page: the URL's settings, the catalog (baselines and prepared datasets), the
 * run history and the user's models from IndexedDB, and a notice for any run that a reload or a
 * closed tab cut short (run-marker.ts); then a link's run=1 runs.
 */
import type { BaselineIndex } from '../engine/types';
import { runCompress } from './jobs';
import { takeUnfinishedRuns, unfinishedNotice } from './run-marker';
import { useStudio, type DataManifestEntry } from './store';
import { modelsReady, startUrlSync } from './url-sync';
import { startLiveUpdates } from './live';

async function fetchJson<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

let started = false;

export function startStudio(): void {
  if (started) return;
  started = true;
  // The benchmark's page (?bench, bench-hook.ts) runs no live requests: they would share the
  // machine with the jobs it measures. Read before startUrlSync rewrites the query string.
  const live = !new URLSearchParams(window.location.search).has('bench');
  startUrlSync();
  const s = useStudio.getState();
  void takeUnfinishedRuns().then((runs) => {
    const text = unfinishedNotice(runs);
    if (text) useStudio.getState().notify('unfinished-run', text);
  });
  void s.loadHistory();
  const catalog = Promise.all([fetchJson<BaselineIndex>('/models/index.json'), fetchJson<{ datasets: Record<string, DataManifestEntry> }>('/data/manifest.json').catch(() => ({ datasets: {} }))]).then(
    ([index, manifest]) => useStudio.getState().setCatalog(index.models, manifest.datasets),
    (e: Error) => useStudio.getState().setLoadError(`Could not load the model list (${e.message}). Start the studio with "npm start", which prepares data and models.`),
  );
  void Promise.all([catalog, s.loadUserModels()]).then(() => {
    modelsReady(() => void runCompress());
    if (live) startLiveUpdates();
  });
}
