/**
 * `compress --auto`'s flags: one budget flag per kind of the budget table (choices/auto-budget.ts),
 * checked here so that an error names the flag the user typed, and the recipe the search follows.
 * `--board` is shared with the fit check of `compress`: without --auto it picks the board to
 * check, with --auto it is also the budget.
 */
import { AUTO_BUDGETS, type AutoBudget, parseBudget } from '../../src/engine/choices/auto-budget';
import { StudioError } from '../../src/engine/errors';
import type { PartialCompressSettings } from '../../src/engine/jobs/compress-settings';
import { type FlagSpec, type Flags, num, str } from './flags';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export const AUTO_FLAGS: readonly FlagSpec[] = [
  {
    name: 'auto',
    help: `Search the sparsity under a budget (${AUTO_BUDGETS.ids.map((id) => `--${id}`).join(', ')}): candidates judged on held-back training images, the pick compressed and measured on the test records. Pruning is obs (with --allocation), quantization int8 unless --quant says otherwise.`,
  },
  ...AUTO_BUDGETS.options.filter((o) => o.id !== 'board').map((o): FlagSpec => ({ name: o.id, arg: o.arg, help: `With --auto: ${lowerFirst(o.help)}` })),
  { name: 'held-out', arg: '<N>', help: 'With --auto: held-back training images each candidate is judged on (default 1000).' },
];

/** The budget flag's help for --board, which the fit check also uses. */
export const BOARD_BUDGET_HELP = `Check the fit on one board (default: every board). With --auto, the budget: ${lowerFirst(AUTO_BUDGETS.get('board').help)}`;

/** Flags the search sets itself, or that would make the compressed model differ from the candidate it measured. */
const NOT_WITH_AUTO: ReadonlyArray<[string, string]> = [
  ['prune', 'the search chooses the sparsity'],
  ['nm', 'the search prunes unstructured (obs)'],
  ['schedule', 'the search prunes once, with reconstruction'],
  ['initial-sparsity', 'the search prunes once, with reconstruction'],
  ['epochs', 'candidates are measured without fine-tuning, and the pick must be the model measured'],
];

/** The budget given with --auto, or an error naming the flags; a budget flag without --auto is refused. */
export function autoBudgetFromFlags(flags: Flags): AutoBudget | undefined {
  const given = AUTO_BUDGETS.options.filter((o) => flags[o.id] !== undefined && (o.id !== 'board' || flags.auto));
  if (!flags.auto) {
    if (given.length) throw new StudioError('bad-settings', `--${given[0].id} is a budget of the automatic search; add --auto.`, { flag: given[0].id });
    if (flags['held-out'] !== undefined) throw new StudioError('bad-settings', '--held-out sets the automatic search’s held-back images; add --auto and a budget.', { flag: 'held-out' });
    return undefined;
  }
  const list = AUTO_BUDGETS.options.map((o) => `--${o.id} ${o.arg}`).join(', ');
  if (given.length !== 1) throw new StudioError('bad-settings', `--auto needs exactly one budget, ${given.length ? `got ${given.map((o) => `--${o.id}`).join(' and ')}` : 'got none'}: ${list}.`, { flag: 'auto' });
  for (const [flag, why] of NOT_WITH_AUTO) if (flags[flag] !== undefined) throw new StudioError('bad-settings', `--${flag} does not go with --auto: ${why}.`, { flag });
  const method = flags['prune-method'];
  if (method !== undefined && method !== 'obs') throw new StudioError('bad-settings', `--prune-method: --auto searches obs (reconstruction) pruning, got "${String(method)}".`, { flag: 'prune-method' });
  const id = given[0].id;
  return parseBudget(id, str(flags, id) ?? '', `--${id}`);
}

export function heldOutFromFlags(flags: Flags): number | undefined {
  const n = num(flags, 'held-out');
  if (n !== undefined && !(Number.isInteger(n) && n >= 100)) throw new StudioError('bad-settings', `--held-out must be a whole number of at least 100 images, got ${n}.`, { flag: 'held-out' });
  return n;
}

/** The search's recipe defaults: obs pruning, and int8 unless the flags or the settings file name a quantization. */
export function autoRecipe(flags: Flags) {
  return (s: PartialCompressSettings, base: PartialCompressSettings): void => {
    s.prune = { ...s.prune, method: 'obs' };
    // A search runs for minutes and measures every layer anyway, so unless told otherwise it spreads
    // the sparsity by sensitivity over every layer (the figures in docs/RECONSTRUCTION.md are so).
    if (flags.allocation === undefined && !base.prune?.allocation) s.prune.allocation = 'sensitivity';
    if (!flags['spare-first-last'] && base.prune?.spareFirstLast === undefined) s.prune.spareFirstLast = false;
    if (flags.quant === undefined && !base.quant?.mode) s.quant = { ...s.quant, mode: 'int8' };
  };
}
