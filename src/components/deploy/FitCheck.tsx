import { BOARDS, CUSTOM_BOARD, EXPORT_FILES, type BoardChoice } from '../../engine/choices/deploy';
import type { ExportedModel } from '../../engine/export/compress-exports';
import type { McuFit, ResourceFit } from '../../engine/export/mcu-fit';
import { useStudio } from '../../state/store';
import { NumberField, SelectField } from '../compress/fields';
import { formatKb } from '../format';

const BOARD_OPTIONS: Array<{ value: BoardChoice; label: string }> = [
  ...BOARDS.options.map((p) => ({ value: p.id, label: `${p.label}: ${p.ramBytes / 1024} KB RAM, ${p.flashBytes / 1024} KB flash` })),
  { value: CUSTOM_BOARD.id, label: CUSTOM_BOARD.label },
];

function ResourceRow({ name, r, testId }: { name: string; r: ResourceFit; testId: string }) {
  // Margin as a share of what the board has: free when it fits, over when it does not.
  const pct = r.haveBytes > 0 ? (Math.abs(r.marginBytes) / r.haveBytes) * 100 : 0;
  return (
    <tr className={r.fits ? 'fits' : 'short'} data-testid={testId}>
      <th scope="row">{name}</th>
      <td>{formatKb(r.needBytes)}</td>
      <td>{formatKb(r.haveBytes)}</td>
      <td className="margin">{r.fits ? `${formatKb(r.marginBytes)} left (${pct.toFixed(1)}% free)` : `${formatKb(-r.marginBytes)} short (${pct.toFixed(1)}% over)`}</td>
    </tr>
  );
}

/** The verdict for one board: fits or not, and by how much, for flash and for RAM. */
function Verdict({ fit }: { fit: McuFit }) {
  return (
    <div className={`fit-verdict ${fit.fits ? 'fits' : 'no-fit'}`} data-testid="fit-verdict" data-fits={fit.fits}>
      <p className="fit-headline">
        <span className="fit-word">{fit.fits ? '✓ Fits' : '✗ Does not fit'}</span> the {fit.device.label}
      </p>
      <table>
        <thead>
          <tr>
            <td />
            <th scope="col">Needs</th>
            <th scope="col">Board has</th>
            <th scope="col">Margin</th>
          </tr>
        </thead>
        <tbody>
          <ResourceRow name="Flash (the .tflite file)" r={fit.flash} testId="fit-flash" />
          <ResourceRow name="RAM (tensor arena, estimated)" r={fit.ram} testId="fit-ram" />
        </tbody>
      </table>
    </div>
  );
}

/**
 * Does an exported file fit a microcontroller? A board from the engine's profiles or a custom
 * one; flash need is the file, RAM need the tensor-arena estimate (engine/export/mcu-fit.ts).
 */
export function FitCheck({ models, model, fit }: { models: ExportedModel[]; model: ExportedModel; fit: McuFit | { error: string } }) {
  const d = useStudio((s) => s.deploy);
  const setDeploy = useStudio((s) => s.setDeploy);
  const files = models.map((m) => ({ value: m.label, label: EXPORT_FILES.get(m.label).fileLabel }));
  const customError = 'error' in fit ? fit.error : undefined;
  return (
    <div className="fit-check" data-testid="fit-check">
      <div className="fit-controls">
        <SelectField label="Board" field="deploy.board" testId="fit-board" value={d.board} options={BOARD_OPTIONS} onChange={(board) => setDeploy({ board })} />
        {d.board === 'custom' && (
          <div className="field-pair">
            <NumberField label="RAM (KB)" field="deploy.customRamKb" testId="fit-custom-ram" min={1} step="any" value={d.customRamKb} errorMessage={customError} onChange={(v) => setDeploy({ customRamKb: v ?? Number.NaN })} />
            <NumberField label="Flash (KB)" field="deploy.customFlashKb" testId="fit-custom-flash" min={1} step="any" value={d.customFlashKb} onChange={(v) => setDeploy({ customFlashKb: v ?? Number.NaN })} />
          </div>
        )}
        <SelectField label="File" field="deploy.file" testId="fit-file" value={model.label} options={files} onChange={(file) => setDeploy({ file })} />
      </div>
      {'error' in fit ? <p className="placeholder">No verdict until the custom board has RAM and flash.</p> : <Verdict fit={fit} />}
      <p className="hint fit-method" data-testid="fit-method">
        <strong>How the RAM need is estimated.</strong> The tensor arena is planned the way TensorFlow Lite Micro’s greedy memory planner does it: every activation tensor is one buffer, rounded up to 16 bytes, alive from the operator that
        writes it to the last one that reads it; the largest buffers are placed first, each at the lowest offset where it overlaps nothing alive at the same time. Not counted: TFLite Micro’s persistent data (a few KB, plus 8 bytes per
        output channel of each convolution), kernel scratch buffers (e.g. CMSIS-NN’s), the stack and your application; leave headroom. The flash need is the .tflite file alone, without the interpreter’s code. 1 KB = 1,024 bytes.
      </p>
    </div>
  );
}
