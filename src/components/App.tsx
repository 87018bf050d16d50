import { useEffect, type ReactNode } from 'react';
import { startStudio } from '../state/startup';
import { useStudio } from '../state/store';
import type { TabId } from '../state/ui-slice';
import { ModelPicker } from './ModelPicker';
import { RunPanel } from './RunPanel';
import { ResultCard } from './ResultCard';
import { ZooTable } from './ZooTable';
import { FinetuneCard } from './FinetuneCard';
import { CompressPanel } from './compress/CompressPanel';
import { ConfusionTab, DeployTab, DetailsTab, FlippedTab, LayersTab } from './compress/CompressResults';
import { SweepPanel } from './compress/SweepPanel';
import { SensitivityPanel } from './sensitivity/SensitivityPanel';
import { AutoSearchPanel } from './compress/AutoSearchPanel';
import { StudyPanel } from './study/StudyPanel';
import { HistoryPanel } from './history/HistoryPanel';
import { Notices } from './Notices';
import { ShareBar } from './ShareBar';
import { TrainPanel } from './models/TrainPanel';
import { UploadPanel } from './models/UploadPanel';
import { Headline } from './workbench/Headline';
import { ExplainPanel } from './ideas/ExplainPanel';
import { TourNav } from './tour/Tour';
import { TabPanels, TabStrip } from './workbench/StudioTabs';

/** What each tab under the workbench holds. */
const PANELS: Record<TabId, ReactNode> = {
  details: <DetailsTab />,
  layers: <LayersTab />,
  sensitivity: (
    <section aria-labelledby="sensitivity-h" className="panel">
      <h2 id="sensitivity-h">Per-layer sensitivity</h2>
      <SensitivityPanel />
    </section>
  ),
  confusion: <ConfusionTab />,
  flipped: <FlippedTab />,
  deploy: <DeployTab />,
  sweep: (
    <>
      <section aria-labelledby="sweep-h" className="panel">
        <h2 id="sweep-h">Sparsity sweep</h2>
        <SweepPanel />
      </section>
      <section aria-labelledby="auto-h" className="panel">
        <h2 id="auto-h">Automatic search under a budget</h2>
        <AutoSearchPanel />
      </section>
    </>
  ),
  study: (
    <section aria-labelledby="study-h" className="panel">
      <h2 id="study-h">Reproduce the study</h2>
      <StudyPanel />
    </section>
  ),
  history: (
    <section aria-labelledby="history-h" className="panel">
      <h2 id="history-h">Run history</h2>
      <HistoryPanel />
    </section>
  ),
  upload: (
    <section aria-labelledby="upload-h" className="panel">
      <h2 id="upload-h">Bring your own model</h2>
      <UploadPanel />
    </section>
  ),
  train: (
    <section aria-labelledby="train-h" className="panel">
      <h2 id="train-h">Train from scratch</h2>
      <TrainPanel />
    </section>
  ),
  evaluate: (
    <div className="evaluate-tab">
      <section aria-labelledby="run-h" className="panel">
        <h2 id="run-h">Evaluate</h2>
        <RunPanel />
      </section>
      <section aria-labelledby="res-h" className="panel">
        <h2 id="res-h">Evaluation and fine-tuning results</h2>
        <ResultCard />
        <FinetuneCard />
      </section>
      <section aria-labelledby="zoo-h" className="panel zoo-panel">
        <h2 id="zoo-h">Model zoo</h2>
        <ZooTable />
      </section>
    </div>
  ),
};

/**
 * The page: a workbench that fits one screen (the model, the recipe's main knobs and Compress,
 * the before/after headline with its chart, and how the chosen methods work), and under it one
 * tab strip for everything else. Lecture mode (styles.css) enlarges the type and hides what is
 * marked `advanced`.
 */
export function App() {
  const loadError = useStudio((s) => s.loadError);
  useEffect(startStudio, []);

  return (
    <div className="app">
      <div className="first-screen">
        <header className="app-header">
          <div>
            <h1>Compression Studio</h1>
            <p className="tagline">Prune and quantize neural networks for microcontrollers, and measure what it costs — in your browser.</p>
          </div>
          <TourNav />
          <ShareBar />
        </header>
        <Notices />
        {loadError && (
          <p role="alert" className="error">
            {loadError}
          </p>
        )}
        <main className="workbench">
          <section aria-labelledby="pick-h" className="panel model-panel">
            <h2 id="pick-h" className="sr-only">
              Model
            </h2>
            <ModelPicker />
          </section>
          <div className="bench-grid">
            <section aria-labelledby="compress-h" className="panel knobs">
              <h2 id="compress-h">Compress</h2>
              <CompressPanel />
            </section>
            <section aria-labelledby="compress-res-h" className="panel headline">
              <h2 id="compress-res-h">Result</h2>
              <Headline />
            </section>
            <section aria-labelledby="explain-h" className="panel explain">
              <h2 id="explain-h">How it works</h2>
              <ExplainPanel />
            </section>
          </div>
        </main>
      </div>
      <section className="views" aria-label="More views">
        <TabStrip />
        <TabPanels panels={PANELS} />
      </section>
    </div>
  );
}
