/**
 * A choice declared once: a closed set of options, each with its stable id (saved in links, run
 * history and reports), the label the studio shows, a sentence of help, and any facts that belong
 * to it. In the spirit of TensorFlow Playground's State.PROPS, everything else derives from the
 * table: the settings type (`IdOf<typeof TABLE>`), the validator (`check`), the URL codec (the
 * option's `urlCode`), the form options, the CLI flags and help, and the labels.
 *
 * Tables are plain data (no tfjs, no compute), so the UI may import them.
 */
import { StudioError } from '../errors';

export interface ChoiceOption<Id extends string = string> {
  readonly id: Id;
  readonly label: string;
  readonly help: string;
  /** The short name a shared link carries (state/url-state.ts); the id when absent. Never change one: old links hold it. */
  readonly urlCode?: string;
  /** The default option of the choice (exactly one; for a multiple choice, every option chosen by default). */
  readonly default?: boolean;
}

export interface ChoiceTable<O extends ChoiceOption = ChoiceOption> {
  /** The settings field it fills, as a dotted path ("quant.calibration.method"), for messages. */
  readonly field: string;
  readonly options: readonly O[];
  readonly ids: readonly O['id'][];
  /** The option marked `default`. */
  readonly defaultId: O['id'];
  has(v: unknown): v is O['id'];
  get(id: O['id']): O;
  /** The option for `v`, or a 'bad-settings' error naming the field, the allowed ids and what was found. */
  check(v: unknown, field?: string): O;
  /** "sgd-momentum, adam" */
  readonly allowed: string;
}

/** A choice of several options at once (e.g. the layer kinds pruning applies to). */
export interface MultiChoiceTable<O extends ChoiceOption = ChoiceOption> extends Omit<ChoiceTable<O>, 'defaultId' | 'check'> {
  readonly defaultIds: O['id'][];
  /** The list, or an error naming the field, the first unknown value and the allowed ids. Repeats are refused too. */
  check(v: unknown, field?: string): O['id'][];
}

export type IdOf<T> = T extends { options: readonly (infer O)[] } ? (O extends ChoiceOption<infer Id> ? Id : never) : never;
export type OptionOf<T> = T extends { options: readonly (infer O)[] } ? O : never;

function base<O extends ChoiceOption>(field: string, options: readonly O[]) {
  const byId = new Map<string, O>(options.map((o) => [o.id, o]));
  if (byId.size !== options.length) throw new Error(`${field}: two options share an id`);
  const codes = new Set(options.map((o) => o.urlCode ?? o.id));
  if (codes.size !== options.length) throw new Error(`${field}: two options share a URL code`);
  const allowed = options.map((o) => o.id).join(', ');
  const has = (v: unknown): v is O['id'] => typeof v === 'string' && byId.has(v);
  const fail = (v: unknown, f: string, what = `must be one of ${allowed}`): never => {
    throw new StudioError('bad-settings', `${f}: ${what} (got ${JSON.stringify(v) ?? String(v)}).`, { field: f, value: v, allowed: options.map((o) => o.id) });
  };
  return { field, options, ids: options.map((o) => o.id) as O['id'][], allowed, has, get: (id: O['id']) => byId.get(id)!, fail };
}

export function defineChoice<const O extends ChoiceOption>(field: string, options: readonly O[]): ChoiceTable<O> {
  const b = base(field, options);
  const defaults = options.filter((o) => o.default);
  if (defaults.length !== 1) throw new Error(`${field}: exactly one option must be the default, found ${defaults.length}`);
  return {
    field,
    options,
    ids: b.ids,
    allowed: b.allowed,
    defaultId: defaults[0].id,
    has: b.has,
    get: b.get,
    check: (v, f = field) => (b.has(v) ? b.get(v) : b.fail(v, f)),
  };
}

export function defineMultiChoice<const O extends ChoiceOption>(field: string, options: readonly O[]): MultiChoiceTable<O> {
  const b = base(field, options);
  return {
    field,
    options,
    ids: b.ids,
    allowed: b.allowed,
    defaultIds: options.filter((o) => o.default).map((o) => o.id),
    has: b.has,
    get: b.get,
    check: (v, f = field) => {
      if (!Array.isArray(v)) return b.fail(v, f, `must be a list of ${b.allowed}`);
      v.forEach((x, i) => {
        if (!b.has(x)) b.fail(v, f, `must list only ${b.allowed}; "${String(x)}" is none of them`);
        if (v.indexOf(x) !== i) b.fail(v, f, `lists "${String(x)}" twice`);
      });
      return v as O['id'][];
    },
  };
}

/** Options as a form's select wants them: value and label. */
export function formOptions<O extends ChoiceOption>(t: { options: readonly O[] }): Array<{ value: O['id']; label: string }> {
  return t.options.map((o) => ({ value: o.id, label: o.label }));
}
