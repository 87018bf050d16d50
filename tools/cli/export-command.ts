/**
 * `npm run cli -- compress ... --export-dir out/`: writes the run's deployable files.
 *
 *   model_int8.tflite        full-integer int8 (when --quant int8)
 *   model_int8.h / .c        the int8 model as a C array (xxd -i style, 16-byte aligned)
 *   model_float32.tflite     the compressed model unquantized (int8's fair comparison)
 *   baseline_float32.tflite  the baseline
 *   report.json              the run's report (versioned envelope), with the files' summaries,
 *                            tensor-arena plans and microcontroller fit checks
 *
 * --tflite-io int8 makes the int8 model take and give int8 tensors (default: float I/O through
 * QUANTIZE/DEQUANTIZE). --board <id> checks the fit on one board (default: every profile) and
 * estimates the int8 model's latency on its core and clock (mcu-latency.ts: an estimate).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tfliteCArray } from '../../src/engine/export/c-array';
import { exportCompressed, type CompressExports } from '../../src/engine/export/compress-exports';
import { checkFit, getProfile, type McuFit, MCU_PROFILES } from '../../src/engine/export/mcu-fit';
import { estimateForBoard, type LatencyEstimate } from '../../src/engine/export/mcu-latency';
import { reportJson } from '../../src/engine/export/report';
import type { TfliteIo } from '../../src/engine/export/tflite/from-graph';
import { StudioError } from '../../src/engine/errors';
import type { CompressedModels, CompressResult } from '../../src/engine/jobs/compress';

type Flags = Record<string, string | boolean>;

export interface ExportSummary {
  dir: string;
  files: Array<{ fileName: string; bytes: number }>;
  fit: McuFit[];
  /** Per board (same order as fit), the estimated int8 latency; undefined for a float32-only run. */
  latency: Array<LatencyEstimate | undefined>;
  skipped: string[];
}

export async function writeExports(dir: string, r: CompressResult, models: CompressedModels, flags: Flags): Promise<ExportSummary> {
  const io = flags['tflite-io'] ?? 'float';
  if (io !== 'float' && io !== 'int8') throw new StudioError('bad-settings', `--tflite-io must be float or int8, got "${String(io)}".`, { flag: 'tflite-io' });
  const exports: CompressExports = exportCompressed(models, { io: io as TfliteIo });
  const main = exports.models.find((m) => m.label === 'int8') ?? exports.models.find((m) => m.label === 'float32')!;
  const boards = typeof flags.board === 'string' ? [getProfile(flags.board)] : [...MCU_PROFILES];
  const fit = boards.map((b) => checkFit(main.summary.sizeBytes, main.arena, b));
  // The estimate models int8 kernels, so it is given for the int8 file only.
  const latency = boards.map((b) => (main.label === 'int8' ? estimateForBoard(main.bytes, b) : undefined));
  await mkdir(dir, { recursive: true });
  const files: ExportSummary['files'] = [];
  const put = async (fileName: string, data: Uint8Array | string) => {
    await writeFile(join(dir, fileName), data);
    files.push({ fileName, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
  };
  for (const m of exports.models) await put(m.fileName, m.bytes);
  const int8 = exports.models.find((m) => m.label === 'int8');
  if (int8) {
    const c = tfliteCArray(int8.bytes, { baseName: 'model_int8', comment: `${r.modelId}, full-integer int8 (${int8.io} I/O), exported by Compression Studio` });
    await put(c.header.fileName, c.header.text);
    await put(c.source.fileName, c.source.text);
  }
  await put('report.json', reportJson({ compress: r, exports: exports.models, fit }));
  return { dir, files, fit, latency, skipped: exports.skipped };
}

export function printExports(s: ExportSummary): void {
  console.log(`exported to ${s.dir}:`);
  for (const f of s.files) console.log(`  ${f.fileName.padEnd(26)} ${String(f.bytes).padStart(10)} B`);
  for (const note of s.skipped) console.log(`  not exported: ${note}`);
  s.fit.forEach((f, i) => {
    console.log(`fit: ${f.verdict}`);
    const l = s.latency[i];
    if (l) console.log(`latency: ~${l.ms < 10 ? l.ms.toFixed(1) : l.ms.toFixed(0)} ms per inference on the ${f.device.label} (${l.coreLabel}, ${l.clockMHz} MHz). ${l.note}`);
  });
}
