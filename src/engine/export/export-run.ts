/**
 * Exports a finished run's models, in the worker (workers/tflite-step.ts) and the CLI alike: the
 * .tflite files, named for the model as run-files.ts names every file of the run, and the
 * compressed model as a zipped tfjs LayersModel.
 */
import { TFLITE_IO, type TfliteIo } from '../choices/deploy';
import type { CompressedModels } from '../jobs/compress';
import { exportCompressed, type CompressExports } from './compress-exports';
import { exportStem } from './run-files';
import { exportTfjsModel } from './tfjs-model';

/** A failure of the tfjs zip is noted in `skipped`; the rest stands. */
export async function exportRun(modelId: string, models: CompressedModels, opts: { io?: TfliteIo } = {}): Promise<CompressExports> {
  // The writer takes anything but 'int8' as float I/O: an unknown value is refused here, by name.
  if (opts.io !== undefined) TFLITE_IO.check(opts.io, 'tflite.io');
  const exported = exportCompressed(models, { io: opts.io });
  const exports: CompressExports = { ...exported, models: exported.models.map((m) => ({ ...m, fileName: `${exportStem(modelId, m)}.tflite` })) };
  try {
    exports.tfjs = await exportTfjsModel(models.compressed, models.quantized);
  } catch (e) {
    exports.skipped.push(`tfjs model: ${(e as Error).message}`);
  }
  return exports;
}
