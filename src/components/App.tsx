import { useEffect } from 'react';
import { useStudio, type DataManifestEntry } from '../state/store';
import type { BaselineIndex } from '../engine/types';
import { ModelPicker } from './ModelPicker';
import { RunPanel } from './RunPanel';
import { ResultCard } from './ResultCard';
import { ZooTable } from './ZooTable';
import { FinetuneCard } from './FinetuneCard';
import { CompressPanel } from './compress/CompressPanel';
import { CompressResults } from './compress/CompressResults';

async function fetchJson<T>(path: string): Promise<T> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export function App() {
  const setCatalog = useStudio((s) => s.setCatalog);
  const setLoadError = useStudio((s) => s.setLoadError);
  const loadError = useStudio((s) => s.loadError);

  useEffect(() => {
    Promise.all([
      fetchJson<BaselineIndex>('/models/index.json'),
      fetchJson<{ datasets: Record<string, DataManifestEntry> }>('/data/manifest.json').catch(() => ({ datasets: {} })),
    ])
      .then(([index, manifest]) => setCatalog(index.models, manifest.datasets))
      .catch((e: Error) => setLoadError(`Could not load the model list (${e.message}). Start the studio with "npm start", which prepares data and models.`));
  }, [setCatalog, setLoadError]);

  return (
    <div className="app">
      <header>
        <h1>Compression Studio</h1>
        <p className="tagline">Prune and quantize neural networks for microcontrollers, and measure what it costs — in your browser.</p>
      </header>
      {loadError && <p role="alert" className="error">{loadError}</p>}
      <main>
        <section aria-labelledby="pick-h" className="panel">
          <h2 id="pick-h">Baseline model</h2>
          <ModelPicker />
        </section>
        <section aria-labelledby="run-h" className="panel">
          <h2 id="run-h">Evaluate</h2>
          <RunPanel />
        </section>
        <section aria-labelledby="compress-h" className="panel wide">
          <h2 id="compress-h">Compress</h2>
          <CompressPanel />
        </section>
        <section aria-labelledby="compress-res-h" className="panel wide">
          <h2 id="compress-res-h">Compression results</h2>
          <CompressResults />
        </section>
        <section aria-labelledby="res-h" className="panel results">
          <h2 id="res-h">Evaluation and fine-tuning results</h2>
          <ResultCard />
          <FinetuneCard />
        </section>
        <section aria-labelledby="zoo-h" className="panel results">
          <h2 id="zoo-h">Model zoo</h2>
          <ZooTable />
        </section>
      </main>
    </div>
  );
}
