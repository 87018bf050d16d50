/**
 * The command line's flags as a table: each flag's name, its argument (a choice's values come from
 * its table in src/engine/choices/) and its help. The parser refuses a flag the command does not
 * take, and a choice's value outside its table, naming the flag and what it allows; `helpText`
 * prints the table. Nothing falls back to a default when a value is wrong.
 */
import type { ChoiceOption, ChoiceTable, MultiChoiceTable } from '../../src/engine/choices/choice';
import { StudioError } from '../../src/engine/errors';

export type Flags = Record<string, string | boolean>;

export interface FlagSpec {
  name: string;
  /** What follows the flag ("<sparsity>", "wasm|webgl|cpu"); none for a switch. */
  arg?: string;
  help: string;
}

/** "--name value" pairs and "--switch"es after the command. */
export function parseFlags(argv: string[]): { command: string; flags: Flags } {
  const [command = 'help', ...rest] = argv;
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new StudioError('bad-settings', `Unexpected argument "${a}". Flags start with --.`, { argument: a });
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags[a.slice(2)] = true;
    else {
      flags[a.slice(2)] = next;
      i++;
    }
  }
  return { command, flags };
}

/** Refuses flags the command does not take (a misspelt flag would otherwise be ignored). */
export function checkKnown(command: string, flags: Flags, specs: readonly FlagSpec[]): void {
  const known = new Set(specs.map((f) => f.name));
  for (const name of Object.keys(flags)) {
    if (!known.has(name)) throw new StudioError('bad-settings', `--${name}: ${command} takes no such flag; it takes ${specs.map((f) => `--${f.name}`).join(', ')}.`, { flag: name });
  }
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (typeof v === 'boolean') throw new StudioError('bad-settings', `--${name} needs a value.`, { flag: name });
  return v;
}

export function num(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new StudioError('bad-settings', `--${name} must be a number, got "${String(v)}".`, { flag: name });
  return n;
}

/** The flag's value as an id of `table`, or an error naming the flag and the allowed values. */
export function choice<O extends ChoiceOption>(flags: Flags, name: string, table: ChoiceTable<O>): O['id'] | undefined {
  const v = str(flags, name);
  return v === undefined ? undefined : table.check(v, `--${name}`).id;
}

/** A comma-separated list of a multiple choice's ids. */
export function choices<O extends ChoiceOption>(flags: Flags, name: string, table: MultiChoiceTable<O>): O['id'][] | undefined {
  const v = str(flags, name);
  return v === undefined ? undefined : table.check(v.split(','), `--${name}`);
}

/** "a|b|c" for a choice flag's help. */
export function argOf(table: { options: readonly ChoiceOption[] }, separator = '|'): string {
  return table.options.map((o) => o.id).join(separator);
}

/** The flags as help lines: "  --optimizer sgd-momentum|adam   SGD with momentum ...". */
export function helpText(specs: readonly FlagSpec[]): string {
  const heads = specs.map((f) => `  --${f.name}${f.arg ? ` ${f.arg}` : ''}`);
  const width = Math.min(56, Math.max(...heads.map((h) => h.length)) + 2);
  return specs.map((f, i) => (heads[i].length >= width ? `${heads[i]}\n${' '.repeat(width)}${f.help}` : `${heads[i].padEnd(width)}${f.help}`)).join('\n');
}
