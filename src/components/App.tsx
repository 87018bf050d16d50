import { useEffect } from 'react';
import { startStudio } from '../state/startup';
import { useStudio } from '../state/store';
import { ModelPicker } from './ModelPicker';
import { RunPanel } from './RunPanel';
import { ResultCard } from './ResultCard';
import { ZooTable } from './ZooTable';
import { FinetuneCard } from './FinetuneCard';
import { CompressPanel } from './compress/CompressPanel';
import { CompressResults } from './compress/CompressResults';
import { SweepPanel } from './compress/SweepPanel';
import { StudyPanel } from './study/StudyPanel';
import { HistoryPanel } from './history/HistoryPanel';
import { Notices } from './Notices';
import { ShareBar } from './ShareBar';
import { TrainPanel } from './models/TrainPanel';
import { UploadPanel } from './models/UploadPanel';

/**
 * The page: models, compression, results, history. Sections marked `advanced` are hidden in
 * lecture mode (styles.css), which keeps the model, the recipe's main knobs and the results.
 */
export function App() {
  const loadError = useStudio((s) => s.loadError);
  useEffect(startStudio, []);

  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>Compression Studio</h1>
          <p className="tagline">Prune and quantize neural networks for microcontrollers, and measure what it costs — in your browser.</p>
        </div>
        <ShareBar />
      </header>
      <Notices />
      {loadError && <p role="alert" className="error">{loadError}</p>}
      <main>
        <section aria-labelledby="pick-h" className="panel model-panel">
          <h2 id="pick-h">Model</h2>
          <ModelPicker />
        </section>
        <section aria-labelledby="run-h" className="panel advanced">
          <h2 id="run-h">Evaluate</h2>
          <RunPanel />
        </section>
        <section aria-labelledby="upload-h" className="panel advanced">
          <h2 id="upload-h">Bring your own model</h2>
          <UploadPanel />
        </section>
        <section aria-labelledby="train-h" className="panel advanced">
          <h2 id="train-h">Train from scratch</h2>
          <TrainPanel />
        </section>
        <section aria-labelledby="compress-h" className="panel wide">
          <h2 id="compress-h">Compress</h2>
          <CompressPanel />
        </section>
        <section aria-labelledby="compress-res-h" className="panel wide">
          <h2 id="compress-res-h">Compression results</h2>
          <CompressResults />
        </section>
        <section aria-labelledby="sweep-h" className="panel wide">
          <h2 id="sweep-h">Sparsity sweep</h2>
          <SweepPanel />
        </section>
        <section aria-labelledby="study-h" className="panel wide">
          <h2 id="study-h">Reproduce the study</h2>
          <StudyPanel />
        </section>
        <section aria-labelledby="history-h" className="panel wide">
          <h2 id="history-h">Run history</h2>
          <HistoryPanel />
        </section>
        <section aria-labelledby="res-h" className="panel results advanced">
          <h2 id="res-h">Evaluation and fine-tuning results</h2>
          <ResultCard />
          <FinetuneCard />
        </section>
        <section aria-labelledby="zoo-h" className="panel results advanced">
          <h2 id="zoo-h">Model zoo</h2>
          <ZooTable />
        </section>
      </main>
    </div>
  );
}
