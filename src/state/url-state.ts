/**
 * Settings in the URL: one declarative table of query keys, each with its codec, in the spirit of
 * TensorFlow Playground's state.ts. The query string is compact (short keys; only values that
 * differ from the engine's defaults) and versioned (`v`), so a link keeps meaning the same thing.
 *
 *   ?v=1&m=custom-cnn-mnist&sp=0.7&q=int8&el=300&tfl=1&bd=custom&ram=64&tab=layers&run=1&lecture=1
 *
 * Three tables: the compression settings (SETTINGS_FIELDS, against the engine's DEFAULT_SETTINGS),
 * the Deploy choices (DEPLOY_FIELDS, against DEFAULT_DEPLOY: the TFLite step, its int8 I/O,
 * the board of the fit check with a custom board's RAM and flash, the file checked) and the view
 * (UI_FIELDS, against DEFAULT_UI: the open tab and the lecture tour's step).
 *
 * Decoding starts from DEFAULT_SETTINGS and applies each key it understands; a value it cannot
 * read is left at its default and named in `ignored`, never guessed.
 */
import type { RuntimeId } from '../engine/runtime/model-runtime';
import { DEFAULT_SETTINGS, type CompressSettings, type PruneMethod, type QuantModeSetting } from '../engine/jobs/compress-settings';
import type { LayerKind } from '../engine/prune/unstructured';
import type { CalibrationMethod } from '../engine/quantize/calibrate';
import type { Granularity } from '../engine/quantize/quantize-graph';
import type { TrainingBackendChoice } from '../engine/train/training-backend';
import type { ExportLabel } from '../engine/export/compress-exports';
import { MCU_PROFILES } from '../engine/export/mcu-fit';
import type { TfliteIo } from '../engine/export/tflite/from-graph';
import { STUDY_METHODS } from '../engine/study/published';
import { DEFAULT_DEPLOY, type DeployState } from './deploy-slice';
import { DEFAULT_TAB, TAB_IDS, type TabId, type TourStep } from './ui-slice';

export const URL_STATE_VERSION = 1;

interface Codec<T> {
  encode: (v: T) => string;
  /** undefined: the text is not a valid value. */
  decode: (t: string) => T | undefined;
}

const num = (ok: (v: number) => boolean): Codec<number> => ({
  encode: (v) => String(Number(v.toPrecision(6))),
  decode: (t) => (t.trim() !== '' && Number.isFinite(Number(t)) && ok(Number(t)) ? Number(t) : undefined),
});
const frac = num((v) => v >= 0 && v <= 1);
const int = (min: number) => num((v) => Number.isInteger(v) && v >= min);
const positive = num((v) => v > 0);
const bool: Codec<boolean> = { encode: (v) => (v ? '1' : '0'), decode: (t) => (t === '1' ? true : t === '0' ? false : undefined) };

/** A closed set of values under short names (the name is what goes in the URL). */
function oneOf<T extends string>(names: Record<string, T>): Codec<T> {
  const back = new Map(Object.entries(names).map(([k, v]) => [v, k]));
  return { encode: (v) => back.get(v) ?? v, decode: (t) => (Object.hasOwn(names, t) ? names[t] : undefined) };
}

const optionalInt: Codec<number | undefined> = { encode: (v) => (v === undefined ? '' : String(v)), decode: (t) => (t === '' ? undefined : int(1).decode(t)) };

const kinds: Codec<LayerKind[]> = {
  encode: (v) => v.join('.'),
  decode: (t) => {
    const all: LayerKind[] = ['conv', 'depthwise', 'dense'];
    const parts = t === '' ? [] : t.split('.');
    return parts.every((p): p is LayerKind => (all as string[]).includes(p)) ? [...new Set(parts as LayerKind[])] : undefined;
  },
};

/** Layer name -> fraction, as "name:0.3,name2:0.5" with each name percent-encoded. */
const overrides: Codec<Record<string, number>> = {
  encode: (v) => Object.entries(v).map(([k, x]) => `${encodeURIComponent(k)}:${frac.encode(x)}`).join(','),
  decode: (t) => {
    const out: Record<string, number> = {};
    for (const part of t === '' ? [] : t.split(',')) {
      const at = part.lastIndexOf(':');
      let name: string;
      try {
        name = decodeURIComponent(part.slice(0, at));
      } catch {
        return undefined;
      }
      const x = frac.decode(part.slice(at + 1));
      if (at <= 0 || x === undefined || ['__proto__', 'constructor', 'prototype'].includes(name)) return undefined;
      out[name] = x;
    }
    return out;
  },
};

/** "2:4" for N:M pruning. */
const nm: Codec<[number, number]> = {
  encode: ([n, m]) => `${n}:${m}`,
  decode: (t) => {
    const m = /^(\d{1,3}):(\d{1,3})$/.exec(t);
    return m && Number(m[1]) <= Number(m[2]) && Number(m[2]) >= 1 ? [Number(m[1]), Number(m[2])] : undefined;
  },
};

type Schedule = CompressSettings['prune']['schedule'];
/** "os" (one-shot) or "g:<initial sparsity>:<power>" (gradual, tfmot's polynomial decay). */
const schedule: Codec<Schedule> = {
  encode: (s) => (s.kind === 'one-shot' ? 'os' : `g:${frac.encode(s.initialSparsity)}:${positive.encode(s.power)}`),
  decode: (t) => {
    if (t === 'os') return { kind: 'one-shot' };
    const [g, i, p] = t.split(':');
    const initialSparsity = frac.decode(i ?? '');
    const power = positive.decode(p ?? '');
    return g === 'g' && initialSparsity !== undefined && power !== undefined ? { kind: 'gradual', initialSparsity, power } : undefined;
  },
};

/** One row of a table: a query key, how to read it from the state `S`, how to write it back. */
interface Field<S, T> {
  key: string;
  codec: Codec<T>;
  get: (s: S) => T;
  set: (s: S, v: T) => void;
}
const field = <T,>(key: string, codec: Codec<T>, get: (s: CompressSettings) => T, set: (s: CompressSettings, v: T) => void): Field<CompressSettings, unknown> =>
  ({ key, codec, get, set }) as Field<CompressSettings, unknown>;
const deployField = <T,>(key: string, codec: Codec<T>, get: (s: DeployState) => T, set: (s: DeployState, v: T) => void): Field<DeployState, unknown> =>
  ({ key, codec, get, set }) as Field<DeployState, unknown>;

export const SETTINGS_FIELDS: ReadonlyArray<Field<CompressSettings, unknown>> = [
  field('pm', oneOf<PruneMethod>({ none: 'none', pl: 'per-layer', gl: 'global', nm: 'n:m', st: 'structured' }), (s) => s.prune.method, (s, v) => (s.prune.method = v)),
  field('sp', frac, (s) => s.prune.sparsity, (s, v) => (s.prune.sparsity = v)),
  field('nm', nm, (s) => [s.prune.n, s.prune.m] as [number, number], (s, [n, m]) => ((s.prune.n = n), (s.prune.m = m))),
  field('sc', schedule, (s) => s.prune.schedule, (s, v) => (s.prune.schedule = v)),
  field('lk', kinds, (s) => s.prune.layerKinds, (s, v) => (s.prune.layerKinds = v)),
  field('sfl', bool, (s) => s.prune.spareFirstLast, (s, v) => (s.prune.spareFirstLast = v)),
  field('cr', oneOf<'l1' | 'l2'>({ l1: 'l1', l2: 'l2' }), (s) => s.prune.criterion, (s, v) => (s.prune.criterion = v)),
  field('ov', overrides, (s) => s.prune.overrides, (s, v) => (s.prune.overrides = v)),
  field('ep', int(0), (s) => s.finetune.epochs, (s, v) => (s.finetune.epochs = v)),
  field('bs', int(1), (s) => s.finetune.batchSize, (s, v) => (s.finetune.batchSize = v)),
  field('lr', positive, (s) => s.finetune.learningRate, (s, v) => (s.finetune.learningRate = v)),
  field('opt', oneOf<'sgd-momentum' | 'adam'>({ sgd: 'sgd-momentum', adam: 'adam' }), (s) => s.finetune.optimizer, (s, v) => (s.finetune.optimizer = v)),
  field('seed', int(0), (s) => s.finetune.seed, (s, v) => (s.finetune.seed = v)),
  field('tl', optionalInt, (s) => s.finetune.trainLimit, (s, v) => (s.finetune.trainLimit = v)),
  field('ms', optionalInt, (s) => s.finetune.maxSteps, (s, v) => (s.finetune.maxSteps = v)),
  field('q', oneOf<QuantModeSetting>({ none: 'none', int8: 'int8', w8: 'weight-int8', f16: 'float16' }), (s) => s.quant.mode, (s, v) => (s.quant.mode = v)),
  field('gr', oneOf<Granularity>({ pc: 'per-channel', pt: 'per-tensor' }), (s) => s.quant.granularity, (s, v) => (s.quant.granularity = v)),
  field('cal', oneOf<CalibrationMethod>({ minmax: 'minmax', pct: 'percentile', mse: 'mse' }), (s) => s.quant.calibration.method, (s, v) => (s.quant.calibration.method = v)),
  field('cs', int(1), (s) => s.quant.calibration.samples, (s, v) => (s.quant.calibration.samples = v)),
  field('pct', num((v) => v > 50 && v <= 100), (s) => s.quant.calibration.percentile, (s, v) => (s.quant.calibration.percentile = v)),
  field('el', optionalInt, (s) => s.evalLimit, (s, v) => (s.evalLimit = v)),
  field('lat', int(1), (s) => s.latencyRuns, (s, v) => (s.latencyRuns = v)),
];

/** A board id of MCU_PROFILES, or 'custom'. */
const board: Codec<string> = { encode: (v) => v, decode: (t) => (t === 'custom' || MCU_PROFILES.some((p) => p.id === t) ? t : undefined) };

/**
 * A custom board's size in KB. The boxes may be empty (NaN in the store) while the user types; an
 * empty box is written as its default rather than as a value no link could read back.
 */
const kb = (get: (d: DeployState) => number, fallback: number) => (d: DeployState) => (Number.isFinite(get(d)) ? get(d) : fallback);

export const DEPLOY_FIELDS: ReadonlyArray<Field<DeployState, unknown>> = [
  deployField('tfl', bool, (d) => d.tflite, (d, v) => (d.tflite = v)),
  deployField('io', oneOf<TfliteIo>({ f: 'float', i8: 'int8' }), (d) => d.io, (d, v) => (d.io = v)),
  deployField('rt', oneOf<RuntimeId>({ lrt: 'litert', tft: 'tfjs-tflite' }), (d) => d.runtime, (d, v) => (d.runtime = v)),
  deployField('bd', board, (d) => d.board, (d, v) => (d.board = v)),
  deployField('ram', positive, kb((d) => d.customRamKb, DEFAULT_DEPLOY.customRamKb), (d, v) => (d.customRamKb = v)),
  deployField('fl', positive, kb((d) => d.customFlashKb, DEFAULT_DEPLOY.customFlashKb), (d, v) => (d.customFlashKb = v)),
  deployField('ff', oneOf<ExportLabel>({ i8: 'int8', f32: 'float32', base: 'baseline-float32' }), (d) => d.file, (d, v) => (d.file = v)),
];

/** What the page shows: the open tab, the lecture tour's step (none: no tour), and whether the live preview is on. */
export interface UiUrlState {
  tab: TabId;
  tour?: TourStep;
  livePreview: boolean;
}

export const DEFAULT_UI: UiUrlState = { tab: DEFAULT_TAB, tour: undefined, livePreview: true };

const ids = <T extends string>(values: readonly T[]) => oneOf<T>(Object.fromEntries(values.map((v) => [v, v])) as Record<string, T>);
const tourStep: Codec<TourStep | undefined> = { encode: (v) => v ?? '', decode: (t) => ids(STUDY_METHODS).decode(t) };
const uiField = <T,>(key: string, codec: Codec<T>, get: (s: UiUrlState) => T, set: (s: UiUrlState, v: T) => void): Field<UiUrlState, unknown> =>
  ({ key, codec, get, set }) as Field<UiUrlState, unknown>;

export const UI_FIELDS: ReadonlyArray<Field<UiUrlState, unknown>> = [
  // An empty tab= reads as the default tab.
  uiField('tab', ids(TAB_IDS), (u) => u.tab, (u, v) => (u.tab = v ?? DEFAULT_TAB)),
  uiField('tour', tourStep, (u) => u.tour, (u, v) => (u.tour = v)),
  uiField('pv', bool, (u) => u.livePreview, (u, v) => (u.livePreview = v ?? DEFAULT_UI.livePreview)),
];

const backend = oneOf<TrainingBackendChoice>({ auto: 'auto', wasm: 'wasm', webgl: 'webgl', cpu: 'cpu' });

export interface UrlState {
  modelId?: string;
  settings: CompressSettings;
  backend: TrainingBackendChoice;
  /** The Deploy choices (omitted: the defaults). */
  deploy?: DeployState;
  /** The open tab and the tour step (omitted: the defaults). */
  ui?: UiUrlState;
  /** run=1: run the settings at once (a lecture link). */
  run: boolean;
  lecture: boolean;
}

export interface DecodedUrl extends UrlState {
  deploy: DeployState;
  ui: UiUrlState;
  /** Whether the query held any settings at all (a bare URL changes nothing). */
  present: boolean;
  /** Keys whose values could not be read (left at their defaults). */
  ignored: string[];
  /** Set when the link comes from a newer studio: its settings were not applied. */
  newerVersion?: string;
}

/** Writes the fields whose text differs from the default's. */
function writeFields<S>(q: URLSearchParams, fields: ReadonlyArray<Field<S, unknown>>, value: S, defaults: S): void {
  for (const f of fields) {
    const text = f.codec.encode(f.get(value));
    if (text !== f.codec.encode(f.get(defaults))) q.set(f.key, text);
  }
}

/** Applies the fields present in the query to `target`; returns the keys whose values could not be read. */
function readFields<S>(q: URLSearchParams, fields: ReadonlyArray<Field<S, unknown>>, target: S): string[] {
  const ignored: string[] = [];
  for (const f of fields) {
    const text = q.get(f.key);
    if (text === null) continue;
    const value = f.codec.decode(text);
    if (value === undefined && text !== '') ignored.push(f.key);
    else f.set(target, value);
  }
  return ignored;
}

export function encodeUrlState(u: UrlState): string {
  const q = new URLSearchParams();
  q.set('v', String(URL_STATE_VERSION));
  if (u.modelId) q.set('m', u.modelId);
  if (u.backend !== 'auto') q.set('be', backend.encode(u.backend));
  writeFields(q, SETTINGS_FIELDS, u.settings, DEFAULT_SETTINGS);
  writeFields(q, DEPLOY_FIELDS, u.deploy ?? DEFAULT_DEPLOY, DEFAULT_DEPLOY);
  writeFields(q, UI_FIELDS, u.ui ?? DEFAULT_UI, DEFAULT_UI);
  if (u.run) q.set('run', '1');
  if (u.lecture) q.set('lecture', '1');
  return q.toString();
}

const FLAG_KEYS = new Set(['v', 'm', 'be', 'run', 'lecture']);

export function decodeUrlState(search: string): DecodedUrl {
  const q = new URLSearchParams(search);
  const settings = structuredClone(DEFAULT_SETTINGS);
  const deploy = { ...DEFAULT_DEPLOY };
  const ui = { ...DEFAULT_UI };
  const out: DecodedUrl = { settings, deploy, ui, backend: 'auto', run: q.get('run') === '1', lecture: q.get('lecture') === '1', present: false, ignored: [] };
  const v = q.get('v');
  const uiKeys = new Set(UI_FIELDS.map((f) => f.key));
  const known = new Set([...FLAG_KEYS, ...SETTINGS_FIELDS.map((f) => f.key), ...DEPLOY_FIELDS.map((f) => f.key), ...uiKeys]);
  // What the page shows is no setting: lecture=1 or tab=history alone changes no setting.
  out.present = [...q.keys()].some((k) => known.has(k) && k !== 'lecture' && !uiKeys.has(k));
  if (v !== null && v !== String(URL_STATE_VERSION)) {
    out.newerVersion = v;
    out.run = false;
    return out;
  }
  const m = q.get('m');
  if (m !== null) {
    if (/^[\w.:-]{1,100}$/.test(m)) out.modelId = m;
    else out.ignored.push('m');
  }
  const be = q.get('be');
  if (be !== null) {
    const b = backend.decode(be);
    if (b) out.backend = b;
    else out.ignored.push('be');
  }
  out.ignored.push(...readFields(q, SETTINGS_FIELDS, settings), ...readFields(q, DEPLOY_FIELDS, deploy), ...readFields(q, UI_FIELDS, ui));
  for (const k of q.keys()) if (!known.has(k) && !out.ignored.includes(k)) out.ignored.push(k);
  return out;
}
