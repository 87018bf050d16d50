/**
 * `npm run cli -- compress ... --export-dir out/`: writes the run's files, as the engine assembles
 * them for the studio's Deploy downloads too (engine/export/run-files.ts: same names, same bytes):
 * each .tflite (int8 when quantized to int8, the compressed float32, the baseline float32) with its
 * C array pair, the tfjs zip and the report (with the files' summaries, tensor-arena plans and
 * microcontroller fit checks).
 *
 * --tflite-io int8 makes the int8 model take and give int8 tensors (default: float I/O through
 * QUANTIZE/DEQUANTIZE). --board <id> checks the fit on one board (default: every board) and
 * estimates the int8 model's latency on its core and clock (mcu-latency.ts: an estimate).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOARDS, TFLITE_IO } from '../../src/engine/choices/deploy';
import { getProfile, type McuFit, MCU_PROFILES } from '../../src/engine/export/mcu-fit';
import { estimateForBoard, type LatencyEstimate } from '../../src/engine/export/mcu-latency';
import { exportRun } from '../../src/engine/export/export-run';
import { defaultFitModel, fitChecks, noCArray, runFiles } from '../../src/engine/export/run-files';
import type { CompressedModels, CompressResult } from '../../src/engine/jobs/compress';
import type { CompressJobResult } from '../../src/engine/jobs/results';
import { choice, type Flags } from './flags';

export interface ExportSummary {
  dir: string;
  files: Array<{ fileName: string; bytes: number }>;
  fit: McuFit[];
  /** Per board (same order as fit), the estimated int8 latency; undefined for a float32-only run. */
  latency: Array<LatencyEstimate | undefined>;
  skipped: string[];
}

export async function writeExports(dir: string, r: CompressResult & { backendNote?: string }, models: CompressedModels, flags: Flags): Promise<ExportSummary> {
  const io = choice(flags, 'tflite-io', TFLITE_IO) ?? TFLITE_IO.defaultId;
  const board = choice(flags, 'board', BOARDS);
  const exports = await exportRun(r.modelId, models, { io });
  const run: CompressJobResult = { ...r, type: 'compress', exports };
  const main = defaultFitModel(exports.models)!;
  const boards = board ? [getProfile(board)] : MCU_PROFILES;
  const fit = fitChecks(main, boards);
  // The estimate models int8 kernels, so it is given for the int8 file only.
  const latency = boards.map((b) => (main.label === 'int8' ? estimateForBoard(main.bytes, b) : undefined));
  await mkdir(dir, { recursive: true });
  const files: ExportSummary['files'] = [];
  for (const f of runFiles(run, fit)) {
    const data = f.contents();
    await writeFile(join(dir, f.name), data);
    files.push({ fileName: f.name, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
  }
  return { dir, files, fit, latency, skipped: [...exports.skipped, ...exports.models.flatMap((m) => noCArray(m) ?? [])] };
}

export function printExports(s: ExportSummary): void {
  console.log(`exported to ${s.dir}:`);
  for (const f of s.files) console.log(`  ${f.fileName.padEnd(40)} ${String(f.bytes).padStart(10)} B`);
  for (const note of s.skipped) console.log(`  not exported: ${note}`);
  s.fit.forEach((f, i) => {
    console.log(`fit: ${f.verdict}`);
    const l = s.latency[i];
    if (l) console.log(`latency: ~${l.ms < 10 ? l.ms.toFixed(1) : l.ms.toFixed(0)} ms per inference on the ${f.device.label} (${l.coreLabel}, ${l.clockMHz} MHz). ${l.note}`);
  });
}
