/**
 * The run's report as a downloadable JSON file: a versioned envelope around the compress result,
 * the exported files' summaries and arena plans (not their bytes), the runtime measurements and the
 * fit checks, and, where there is one, the sensitivity section (sensitivity-section.ts: the model's
 * per-layer sensitivity table and the run's allocation). Typed arrays become plain arrays;
 * `readReport` checks the envelope when reading back. The sensitivity section is optional and
 * added without a version change: a version-1 reader that does not know it loses nothing else.
 */
import { StudioError } from '../errors';
import type { CompressResult } from '../jobs/compress';
import type { TfliteEvalResult } from '../jobs/tflite-eval';
import type { ExportedModel } from './compress-exports';
import type { McuFit } from './mcu-fit';
import type { SensitivitySection } from './sensitivity-section';

export const REPORT_FORMAT = 'compression-studio-report';
export const REPORT_VERSION = 1;

export interface ReportParts {
  compress: CompressResult;
  exports?: ExportedModel[];
  tflite?: TfliteEvalResult;
  fit?: McuFit[];
  sensitivity?: SensitivitySection;
  /** ISO time; defaults to now. */
  createdAt?: string;
}

export interface ReportEnvelope {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  createdAt: string;
  compress: unknown;
  exports?: unknown[];
  tflite?: unknown;
  fit?: unknown[];
  sensitivity?: unknown;
}

/** JSON replacer: typed arrays as arrays; file bytes and per-record predictions left out. */
function replacer(key: string, value: unknown): unknown {
  if (key === 'bytes' || key === 'predictions') return undefined;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

export function reportJson(p: ReportParts): string {
  const envelope = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    createdAt: p.createdAt ?? new Date().toISOString(),
    compress: p.compress,
    exports: p.exports?.map((e) => ({
      label: e.label,
      fileName: e.fileName,
      kind: e.kind,
      io: e.io,
      summary: e.summary,
      arena: { arenaBytes: e.arena.arenaBytes, peakLiveBytes: e.arena.peakLiveBytes, perOp: e.arena.perOp, method: e.arena.method },
    })),
    tflite: p.tflite,
    fit: p.fit,
    sensitivity: p.sensitivity,
  };
  return JSON.stringify(envelope, replacer, 1);
}

export function readReport(text: string, fileName = 'report.json'): ReportEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new StudioError('bad-header', `${fileName} is not JSON: ${(e as Error).message}`, { fileName });
  }
  const r = v as Partial<ReportEnvelope> | null;
  if (!r || r.format !== REPORT_FORMAT) throw new StudioError('bad-magic', `${fileName} is not a Compression Studio report: expected "format": "${REPORT_FORMAT}".`, { fileName });
  if (r.version !== REPORT_VERSION) throw new StudioError('bad-header', `${fileName} is report version ${String(r.version)}; this studio reads version ${REPORT_VERSION}.`, { fileName, version: r.version });
  if (!r.compress || typeof r.compress !== 'object') throw new StudioError('bad-header', `${fileName} has no "compress" section.`, { fileName });
  return r as ReportEnvelope;
}
