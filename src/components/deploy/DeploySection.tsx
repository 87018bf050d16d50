import { useMemo } from 'react';
import type { SerializedError } from '../../engine/errors';
import { useStudio } from '../../state/store';
import type { CompressJobResult } from '../../engine/jobs/results';
import { EXPORT_FILES } from '../../engine/choices/deploy';
import { fitModel, fitsFor } from '../../state/deploy-fit';
import { ExportFiles } from './ExportFiles';
import { FitCheck } from './FitCheck';
import { LiveBytesChart } from './LiveBytesChart';
import { RuntimeChoiceTable } from './RuntimeChoiceTable';
import { RuntimeTable } from './RuntimeTable';
import './deploy.css';

/** Why the TFLite step failed, as a sentence; the rest of the run stands. */
function TfliteError({ e, hasFiles }: { e: SerializedError; hasFiles: boolean }) {
  return (
    <div role="alert" className="deploy-error" data-testid="deploy-tflite-error">
      <p>
        <strong>The TFLite runtime could not measure the files.</strong> {e.kind === 'bug' ? 'Internal error (please report it): ' : ''}
        {e.message}
      </p>
      <p className="hint">
        The compression results above are unaffected{hasFiles ? ', and the exported files below can still be downloaded and checked against a board' : ''}. Error code: <code>{e.code}</code>.
      </p>
    </div>
  );
}

/**
 * Deploy: the run's .tflite files measured on the real TFLite runtime beside the tfjs simulation,
 * their downloads (.tflite, C array, report) and a microcontroller fit check with the arena's
 * live bytes per operator. Shown after a compression run that asked for the TFLite step.
 */
export function DeploySection({ r }: { r?: CompressJobResult }) {
  const d = useStudio((s) => s.deploy);
  const models = useMemo(() => r?.exports?.models ?? [], [r]);
  const model = fitModel(models, d);
  const fits = useMemo(() => (model ? fitsFor(model, d) : undefined), [model, d]);
  const asked = !!r && (!!r.exports || !!r.tflite || !!r.tfliteError);
  const picked = fits && !('error' in fits.picked) ? fits.picked : undefined;
  return (
    <section className="deploy" aria-labelledby="deploy-h" data-testid="deploy-section">
      <h3 id="deploy-h">Deploy</h3>
      {!asked ? (
        <p className="placeholder deploy-empty" data-testid="deploy-empty">
          {r ? 'This run exported no .tflite files.' : 'No compression run yet.'} Tick “Real int8 on the TFLite runtime” under Compress and run it to get the real int8 model as a .tflite file and a C array, its accuracy and latency on the
          TFLite runtime, and whether it fits a microcontroller.
        </p>
      ) : (
        <>
          {r.tfliteError && <TfliteError e={r.tfliteError} hasFiles={models.length > 0} />}
          {!r.tflite && !r.tfliteError && r.exports && <p className="hint">The files were exported but not run on the TFLite runtime.</p>}
          <div className="deploy-top">
            <div>
              <RuntimeTable r={r} />
              {r.tflite?.runtimeChoice && <RuntimeChoiceTable choice={r.tflite.runtimeChoice} />}
            </div>
            <ExportFiles r={r} fit={fits?.all ?? []} />
          </div>
          {model && fits ? (
            <div className="deploy-fit">
              <FitCheck models={models} model={model} fit={fits.picked} />
              <LiveBytesChart plan={model.arena} fileLabel={EXPORT_FILES.get(model.label).fileLabel} ramBytes={picked?.ram.haveBytes} />
            </div>
          ) : (
            <p className="placeholder">No file to check against a board: the fit check needs the exported files of this run.</p>
          )}
        </>
      )}
    </section>
  );
}
