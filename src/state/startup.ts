/**
 * Start-up, once per page: the URL's settings, the catalog (baselines and prepared datasets), the
 * run history and the user's models from IndexedDB; then a link's run=1 runs.
 */
import type { BaselineIndex } from '../engine/types';
import { runCompress } from './jobs';
import { useStudio, type DataManifestEntry } from './store';
import { modelsReady, startUrlSync } from './url-sync';

async function fetchJson<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

let started = false;

export function startStudio(): void {
  if (started) return;
  started = true;
  startUrlSync();
  const s = useStudio.getState();
  void s.loadHistory();
  const catalog = Promise.all([
    fetchJson<BaselineIndex>('/models/index.json'),
    fetchJson<{ datasets: Record<string, DataManifestEntry> }>('/data/manifest.json').catch(() => ({ datasets: {} })),
  ]).then(
    ([index, manifest]) => useStudio.getState().setCatalog(index.models, manifest.datasets),
    (e: Error) => useStudio.getState().setLoadError(`Could not load the model list (${e.message}). Start the studio with "npm start", which prepares data and models.`),
  );
  void Promise.all([catalog, s.loadUserModels()]).then(() => modelsReady(() => void runCompress()));
}
