import { modelLabel } from '../state/model-label';
import { useStudio } from '../state/store';
import { formatPercent } from './format';

export function FinetuneCard() {
  const r = useStudio((s) => s.finetune);
  const userModels = useStudio((s) => s.userModels);
  const baselines = useStudio((s) => s.baselines);
  if (!r) return null;
  return (
    <div className="finetune-result" data-testid="finetune-result">
      <h3>Fine-tuning</h3>
      <p>
        <span data-testid="finetune-model">{modelLabel({ userModels, baselines }, r.modelId)}</span>: <span data-testid="finetune-steps">{r.steps}</span> steps ({r.settings.epochs} epoch(s), batch {r.settings.batchSize}, learning rate{' '}
        {r.settings.learningRate}) on <strong data-testid="finetune-backend">{r.backend}</strong> at {r.imagesPerSecond.toFixed(0)} img/s in {(r.elapsedMs / 1000).toFixed(1)} s.
        {r.backendNote && <span className="note"> {r.backendNote}.</span>}
      </p>
      <p>
        Test accuracy <span data-testid="finetune-before">{formatPercent(r.accuracyBefore)}</span> before, <strong data-testid="finetune-after">{formatPercent(r.accuracyAfter)}</strong> after ({r.testRecords.count.toLocaleString('en')} test
        images).
      </p>
    </div>
  );
}
