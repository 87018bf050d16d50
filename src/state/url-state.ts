/**
 * Settings in the URL: one declarative table of query keys, each with its codec, in the spirit of
 * TensorFlow Playground's state.ts. The query string is compact (short keys; only values that
 * differ from the engine's defaults) and versioned (`v`), so a link keeps meaning the same thing.
 *
 *   ?v=2&m=custom-cnn-mnist&sp=0.7&q=int8&el=300&tfl=1&bd=custom&ram=64&tab=layers&run=1&lecture=1
 *
 * The values of every choice come from its table in engine/choices/ (ids and short URL codes).
 * Three tables: the compression settings (SETTINGS_FIELDS, against the engine's DEFAULT_SETTINGS),
 * the Deploy choices (DEPLOY_FIELDS, against DEFAULT_DEPLOY: the TFLite step, its int8 I/O,
 * the board of the fit check with a custom board's RAM and flash, the file checked) and the view
 * (UI_FIELDS, against DEFAULT_UI: the open tab and the lecture tour's step).
 *
 * Decoding starts from DEFAULT_SETTINGS and applies each key it understands; a value it cannot
 * read is left at its default and named in `ignored`, never guessed.
 */
import type { ChoiceOption } from '../engine/choices/choice';
import { BOARDS, CUSTOM_BOARD, EXPORT_FILES, TFLITE_IO, TFLITE_RUNTIMES, type BoardChoice } from '../engine/choices/deploy';
import { LAYER_KINDS, PRUNE_ALLOCATIONS, PRUNE_CRITERIA, PRUNE_SCHEDULES, type LayerKind } from '../engine/choices/prune';
import { PRUNE_METHODS } from '../engine/choices/prune-methods';
import { BIAS_CORRECTIONS, CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES, ROUNDINGS } from '../engine/choices/quantize';
import { BACKENDS, OPTIMIZERS, type BackendChoice } from '../engine/choices/train';
import { DEFAULT_SETTINGS, type CompressSettings } from '../engine/jobs/compress-settings';
import { STUDY_METHODS } from '../engine/study/published';
import { DEFAULT_DEPLOY, type DeployState } from './deploy-slice';
import { DEFAULT_TAB, TAB_IDS, type TabId, type TourStep } from './ui-slice';

export const URL_STATE_VERSION = 2;

/**
 * The defaults each older version's links were written against, as changes to today's: a link
 * leaves out what equals the defaults of its day, so an old link keeps its meaning. Version 2 made
 * the default recipe reconstruction pruning of 80%, uniform, first and last layers spared, and
 * measured the accuracy after each stage only when asked.
 */
const EARLIER_DEFAULTS: Readonly<Record<string, (s: CompressSettings) => void>> = {
  '1': (s) => {
    Object.assign(s.prune, { method: 'per-layer', sparsity: 0.5, allocation: 'sensitivity', spareFirstLast: false });
    s.stageAccuracy = true;
  },
};

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

/** A choice of engine/choices/ under its options' short names (`urlCode`, else the id): what goes in the URL. */
function oneOf<O extends ChoiceOption>(table: { options: readonly O[] }): Codec<O['id']> {
  const code = new Map<string, string>(table.options.map((o) => [o.id, o.urlCode ?? o.id]));
  const id = new Map<string, O['id']>(table.options.map((o) => [o.urlCode ?? o.id, o.id]));
  return { encode: (v) => code.get(v) ?? v, decode: (t) => id.get(t) };
}

const optionalInt: Codec<number | undefined> = { encode: (v) => (v === undefined ? '' : String(v)), decode: (t) => (t === '' ? undefined : int(1).decode(t)) };

const kinds: Codec<LayerKind[]> = {
  encode: (v) => v.join('.'),
  decode: (t) => {
    const parts = t === '' ? [] : t.split('.');
    return parts.every((p) => LAYER_KINDS.has(p)) ? [...new Set(parts as LayerKind[])] : undefined;
  },
};

/** Layer name -> fraction, as "name:0.3,name2:0.5" with each name percent-encoded. */
const overrides: Codec<Record<string, number>> = {
  encode: (v) =>
    Object.entries(v)
      .map(([k, x]) => `${encodeURIComponent(k)}:${frac.encode(x)}`)
      .join(','),
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
const scheduleKind = oneOf(PRUNE_SCHEDULES);
/** "os" (one-shot) or "g:<initial sparsity>:<power>" (gradual, tfmot's polynomial decay). */
const schedule: Codec<Schedule> = {
  encode: (s) => (s.kind === 'gradual' ? `${scheduleKind.encode(s.kind)}:${frac.encode(s.initialSparsity)}:${positive.encode(s.power)}` : scheduleKind.encode(s.kind)),
  decode: (t) => {
    const [code, i, p] = t.split(':');
    const kind = scheduleKind.decode(code);
    if (kind !== 'gradual') return kind !== undefined && i === undefined ? { kind } : undefined;
    const initialSparsity = frac.decode(i ?? '');
    const power = positive.decode(p ?? '');
    return initialSparsity !== undefined && power !== undefined ? { kind, initialSparsity, power } : undefined;
  },
};

/** A method's own parameters as "key:value,key2:value2" (keys are the table's, so need no encoding). */
const params: Codec<Record<string, number>> = {
  encode: (v) =>
    Object.entries(v)
      .map(([k, x]) => `${k}:${num(() => true).encode(x)}`)
      .join(','),
  decode: (t) => {
    const out: Record<string, number> = {};
    for (const part of t === '' ? [] : t.split(',')) {
      const [k, x] = part.split(':');
      const value = num(() => true).decode(x ?? '');
      if (!/^[a-zA-Z][\w]{0,40}$/.test(k) || value === undefined) return undefined;
      out[k] = value;
    }
    return out;
  },
};

/** One row of a table: a query key, how to read it from the state `S`, how to write it back. */
interface Field<S, T> {
  key: string;
  codec: Codec<T>;
  get: (s: S) => T;
  set: (s: S, v: T) => void;
}
const field = <T>(key: string, codec: Codec<T>, get: (s: CompressSettings) => T, set: (s: CompressSettings, v: T) => void): Field<CompressSettings, unknown> => ({ key, codec, get, set }) as Field<CompressSettings, unknown>;
const deployField = <T>(key: string, codec: Codec<T>, get: (s: DeployState) => T, set: (s: DeployState, v: T) => void): Field<DeployState, unknown> => ({ key, codec, get, set }) as Field<DeployState, unknown>;

export const SETTINGS_FIELDS: ReadonlyArray<Field<CompressSettings, unknown>> = [
  field(
    'pm',
    oneOf(PRUNE_METHODS),
    (s) => s.prune.method,
    (s, v) => (s.prune.method = v),
  ),
  field(
    'sp',
    frac,
    (s) => s.prune.sparsity,
    (s, v) => (s.prune.sparsity = v),
  ),
  field(
    'nm',
    nm,
    (s) => [s.prune.n, s.prune.m] as [number, number],
    (s, [n, m]) => ((s.prune.n = n), (s.prune.m = m)),
  ),
  field(
    'sc',
    schedule,
    (s) => s.prune.schedule,
    (s, v) => (s.prune.schedule = v),
  ),
  field(
    'lk',
    kinds,
    (s) => s.prune.layerKinds,
    (s, v) => (s.prune.layerKinds = v),
  ),
  field(
    'sfl',
    bool,
    (s) => s.prune.spareFirstLast,
    (s, v) => (s.prune.spareFirstLast = v),
  ),
  field(
    'al',
    oneOf(PRUNE_ALLOCATIONS),
    (s) => s.prune.allocation,
    (s, v) => (s.prune.allocation = v),
  ),
  field(
    'cr',
    oneOf(PRUNE_CRITERIA),
    (s) => s.prune.criterion,
    (s, v) => (s.prune.criterion = v),
  ),
  field(
    'ov',
    overrides,
    (s) => s.prune.overrides,
    (s, v) => (s.prune.overrides = v),
  ),
  field(
    'pp',
    params,
    (s) => s.prune.params,
    (s, v) => (s.prune.params = v),
  ),
  field(
    'sa',
    bool,
    (s) => s.stageAccuracy,
    (s, v) => (s.stageAccuracy = v),
  ),
  field(
    'ep',
    int(0),
    (s) => s.finetune.epochs,
    (s, v) => (s.finetune.epochs = v),
  ),
  field(
    'bs',
    int(1),
    (s) => s.finetune.batchSize,
    (s, v) => (s.finetune.batchSize = v),
  ),
  field(
    'lr',
    positive,
    (s) => s.finetune.learningRate,
    (s, v) => (s.finetune.learningRate = v),
  ),
  field(
    'opt',
    oneOf(OPTIMIZERS),
    (s) => s.finetune.optimizer,
    (s, v) => (s.finetune.optimizer = v),
  ),
  field(
    'seed',
    int(0),
    (s) => s.finetune.seed,
    (s, v) => (s.finetune.seed = v),
  ),
  field(
    'tl',
    optionalInt,
    (s) => s.finetune.trainLimit,
    (s, v) => (s.finetune.trainLimit = v),
  ),
  field(
    'ms',
    optionalInt,
    (s) => s.finetune.maxSteps,
    (s, v) => (s.finetune.maxSteps = v),
  ),
  field(
    'q',
    oneOf(QUANT_MODES),
    (s) => s.quant.mode,
    (s, v) => (s.quant.mode = v),
  ),
  field(
    'gr',
    oneOf(GRANULARITIES),
    (s) => s.quant.granularity,
    (s, v) => (s.quant.granularity = v),
  ),
  field(
    'rd',
    oneOf(ROUNDINGS),
    (s) => s.quant.rounding,
    (s, v) => (s.quant.rounding = v),
  ),
  field(
    'bc',
    oneOf(BIAS_CORRECTIONS),
    (s) => s.quant.biasCorrection,
    (s, v) => (s.quant.biasCorrection = v),
  ),
  field(
    'cal',
    oneOf(CALIBRATION_METHODS),
    (s) => s.quant.calibration.method,
    (s, v) => (s.quant.calibration.method = v),
  ),
  field(
    'cs',
    int(1),
    (s) => s.quant.calibration.samples,
    (s, v) => (s.quant.calibration.samples = v),
  ),
  field(
    'pct',
    num((v) => v > 50 && v <= 100),
    (s) => s.quant.calibration.percentile,
    (s, v) => (s.quant.calibration.percentile = v),
  ),
  field(
    'el',
    optionalInt,
    (s) => s.evalLimit,
    (s, v) => (s.evalLimit = v),
  ),
  field(
    'lat',
    int(1),
    (s) => s.latencyRuns,
    (s, v) => (s.latencyRuns = v),
  ),
];

/** A board id of the boards table, or the custom board. */
const board: Codec<BoardChoice> = { encode: (v) => v, decode: (t) => (t === CUSTOM_BOARD.id || BOARDS.has(t) ? (t as BoardChoice) : undefined) };

/**
 * A custom board's size in KB. The boxes may be empty (NaN in the store) while the user types; an
 * empty box is written as its default rather than as a value no link could read back.
 */
const kb = (get: (d: DeployState) => number, fallback: number) => (d: DeployState) => (Number.isFinite(get(d)) ? get(d) : fallback);

export const DEPLOY_FIELDS: ReadonlyArray<Field<DeployState, unknown>> = [
  deployField(
    'tfl',
    bool,
    (d) => d.tflite,
    (d, v) => (d.tflite = v),
  ),
  deployField(
    'io',
    oneOf(TFLITE_IO),
    (d) => d.io,
    (d, v) => (d.io = v),
  ),
  deployField(
    'rt',
    oneOf(TFLITE_RUNTIMES),
    (d) => d.runtime,
    (d, v) => (d.runtime = v),
  ),
  deployField(
    'bd',
    board,
    (d) => d.board,
    (d, v) => (d.board = v),
  ),
  deployField(
    'ram',
    positive,
    kb((d) => d.customRamKb, DEFAULT_DEPLOY.customRamKb),
    (d, v) => (d.customRamKb = v),
  ),
  deployField(
    'fl',
    positive,
    kb((d) => d.customFlashKb, DEFAULT_DEPLOY.customFlashKb),
    (d, v) => (d.customFlashKb = v),
  ),
  deployField(
    'ff',
    oneOf(EXPORT_FILES),
    (d) => d.file,
    (d, v) => (d.file = v),
  ),
];

/** What the page shows: the open tab, the lecture tour's step (none: no tour), and whether the live preview is on. */
export interface UiUrlState {
  tab: TabId;
  tour?: TourStep;
  livePreview: boolean;
}

export const DEFAULT_UI: UiUrlState = { tab: DEFAULT_TAB, tour: undefined, livePreview: true };

/** A list of ids as its own codec (the view's tabs and tour steps are not engine choices). */
const ids = <T extends string>(values: readonly T[]): Codec<T> => ({ encode: (v) => v, decode: (t) => ((values as readonly string[]).includes(t) ? (t as T) : undefined) });
const tourStep: Codec<TourStep | undefined> = { encode: (v) => v ?? '', decode: (t) => ids(STUDY_METHODS).decode(t) };
const uiField = <T>(key: string, codec: Codec<T>, get: (s: UiUrlState) => T, set: (s: UiUrlState, v: T) => void): Field<UiUrlState, unknown> => ({ key, codec, get, set }) as Field<UiUrlState, unknown>;

export const UI_FIELDS: ReadonlyArray<Field<UiUrlState, unknown>> = [
  // An empty tab= reads as the default tab.
  uiField(
    'tab',
    ids(TAB_IDS),
    (u) => u.tab,
    (u, v) => (u.tab = v ?? DEFAULT_TAB),
  ),
  uiField(
    'tour',
    tourStep,
    (u) => u.tour,
    (u, v) => (u.tour = v),
  ),
  uiField(
    'pv',
    bool,
    (u) => u.livePreview,
    (u, v) => (u.livePreview = v ?? DEFAULT_UI.livePreview),
  ),
];

const backend = oneOf(BACKENDS);

export interface UrlState {
  modelId?: string;
  settings: CompressSettings;
  backend: BackendChoice;
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
  if (v !== null && v !== String(URL_STATE_VERSION) && !Object.hasOwn(EARLIER_DEFAULTS, v)) {
    out.newerVersion = v;
    out.run = false;
    return out;
  }
  if (v !== null && Object.hasOwn(EARLIER_DEFAULTS, v)) EARLIER_DEFAULTS[v](settings);
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
