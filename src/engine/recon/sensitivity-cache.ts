/**
 * Sensitivity reports kept per model and settings: the analysis is the slow half of pruning with
 * sensitivity allocation, and a user who moves the sparsity slider and presses Compress again
 * should not wait for it twice. The key is a fingerprint of the weights themselves (not a model
 * id), so a fine-tuned or re-loaded model never reuses a stale report.
 */
import { type Graph, isWeighted } from '../graph/ir';
import type { ImageDataset } from '../types';
import { layerSensitivity, pruneSensitivity, type PruneSensitivityReport, type SensitivityOptions, type SensitivityReport } from './sensitivity';
import type { CalibrationSet } from './in-order';

/** Reports kept (each a few KB); the oldest goes first. */
const KEEP = 8;
const reports = new Map<string, SensitivityReport | PruneSensitivityReport>();

/** FNV-1a over 32-bit words. */
function fnv(h: number, words: Uint32Array, step = 1): number {
  for (let i = 0; i < words.length; i += step) h = Math.imul(h ^ words[i], 16777619) >>> 0;
  return h;
}

/** A hash of every layer's name, shape and (a stride of) its weights, and of the calibration images when given. */
export function fingerprint(g: Graph, images?: ImageDataset): string {
  let h = 2166136261;
  for (const n of g.nodes.filter(isWeighted)) {
    h = fnv(h, Uint32Array.from(new TextEncoder().encode(`${n.name}:${n.kernel.shape.join('x')}`)));
    const k = n.kernel.values;
    // Every weight of a small layer; a stride of a big one (a changed model changes most weights).
    h = fnv(h, new Uint32Array(k.buffer, k.byteOffset, k.length), Math.max(1, Math.floor(k.length / 4096)));
    if (n.bias) h = fnv(h, new Uint32Array(n.bias.values.buffer, n.bias.values.byteOffset, n.bias.values.length));
  }
  if (!images) return h.toString(16);
  const px = images.pixels;
  h = fnv(h, Uint32Array.from(px.subarray(0, 4096)));
  return `${h.toString(16)}:${images.count}:${images.numClasses}`;
}

const keyOf = (g: Graph, cal: CalibrationSet, o: SensitivityOptions) => JSON.stringify([fingerprint(g, cal.images), cal.samples, cal.seed ?? 1, o.sparsities, o.heldOut, o.granularity, o.damp ?? 0.01, o.layers ?? null]);

function recall<T extends SensitivityReport | PruneSensitivityReport>(key: string): T | undefined {
  const known = reports.get(key);
  if (known) {
    reports.delete(key);
    reports.set(key, known);
  }
  return known as T | undefined;
}

function keep(key: string, report: SensitivityReport | PruneSensitivityReport): void {
  reports.set(key, report);
  if (reports.size > KEEP) reports.delete(reports.keys().next().value!);
}

/** The complete analysis (the sensitivity view's): every trial's output error and each layer's int8 trial too. */
export async function cachedSensitivity(g: Graph, cal: CalibrationSet, o: SensitivityOptions): Promise<{ report: SensitivityReport; reused: boolean }> {
  const key = keyOf(g, cal, o);
  const known = recall<SensitivityReport>(key);
  if (known) return { report: known, reused: true };
  const report = await layerSensitivity(g, cal, o);
  keep(key, report);
  return { report, reused: false };
}

/**
 * What allocating a sparsity reads: the complete analysis when one is kept (the view's, with the
 * same settings), else the pruning trials alone (pruneSensitivity: no int8 trial, no output
 * errors; 14 of MobileNetV1 1.0's 42 s), kept under a key of their own.
 */
export async function cachedPruneSensitivity(g: Graph, cal: CalibrationSet, o: SensitivityOptions): Promise<{ report: PruneSensitivityReport; reused: boolean }> {
  const key = keyOf(g, cal, o);
  const known = recall<SensitivityReport>(key) ?? recall<PruneSensitivityReport>(`${key}:prune`);
  if (known) return { report: known, reused: true };
  const report = await pruneSensitivity(g, cal, o);
  keep(`${key}:prune`, report);
  return { report, reused: false };
}
