import { formOptions } from '../../engine/choices/choice';
import { OPTIMIZERS } from '../../engine/choices/train';
import { useStudio } from '../../state/store';
import { NumberField, SelectField } from './fields';
import { ideaElementId } from '../ideas/ideas';

/** Fine-tuning after pruning (epochs 0 skips it). Labels differ from the Fine-tune panel's. */
export function FinetunePanel() {
  const f = useStudio((s) => s.compressSettings.finetune);
  const setFinetune = useStudio((s) => s.setFinetune);
  const busy = useStudio((s) => !!s.running);
  const off = f.epochs === 0;
  return (
    <fieldset className="settings-group" disabled={busy}>
      <legend>Fine-tuning</legend>
      <NumberField
        label="Epochs (0 = none)"
        field="finetune.epochs"
        testId="ft-epochs"
        describedBy={off ? undefined : ideaElementId('finetune')}
        min={0}
        max={50}
        step={1}
        value={f.epochs}
        onChange={(v) => setFinetune({ epochs: v ?? Number.NaN })}
      />
      <NumberField label="Images per step (batch)" advanced field="finetune.batchSize" testId="ft-batch" min={1} max={512} step={1} disabled={off} value={f.batchSize} onChange={(v) => setFinetune({ batchSize: v ?? Number.NaN })} />
      <NumberField label="Learning rate" advanced field="finetune.learningRate" testId="ft-lr" min={0} step="any" disabled={off} value={f.learningRate} onChange={(v) => setFinetune({ learningRate: v ?? Number.NaN })} />
      <SelectField label="Optimizer" advanced field="finetune.optimizer" testId="ft-optimizer" disabled={off} value={f.optimizer} options={formOptions(OPTIMIZERS)} onChange={(optimizer) => setFinetune({ optimizer })} />
      <NumberField label="Training images (blank = all)" advanced field="finetune.trainLimit" testId="ft-limit" min={1} step={1} optional disabled={off} value={f.trainLimit} onChange={(trainLimit) => setFinetune({ trainLimit })} />
    </fieldset>
  );
}
