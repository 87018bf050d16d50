/**
 * The budgets of the automatic search (recon/auto-search.ts): what the user bounds, how the value
 * is written, which way the bound moves with sparsity and what the search optimises inside it.
 * The CLI's `compress --auto --<id> <value>` flags, their help and the validation derive from here.
 *
 * `feasible`: where along the total sparsity t the budget holds. An accuracy drop grows with t,
 * so it holds below a boundary; a size shrinks with t, so it holds above one. `objective`: the
 * figure the pick optimises among the candidates that meet the budget.
 */
import { StudioError } from '../errors';
import { BOARDS, type BoardId } from './deploy';
import { defineChoice, type IdOf } from './choice';

export const AUTO_BUDGETS = defineChoice('auto.budget', [
  {
    id: 'max-drop',
    label: 'Accuracy loss at most (points)',
    help: 'The held-back accuracy may fall this many points below the unchanged model’s; the search then takes the smallest model.',
    arg: '<points>',
    field: 'Points',
    defaultText: '1',
    feasible: 'below',
    objective: 'smallest',
    urlCode: 'd',
    default: true,
  },
  {
    id: 'max-size',
    label: 'Size at most (gzip’d, KB)',
    help: 'The compressed weights gzip’d (the report’s “size gzip”) may take at most this much; the search then keeps the most held-back accuracy.',
    arg: '<size, e.g. 100KB>',
    field: 'Size',
    defaultText: '100KB',
    feasible: 'above',
    objective: 'most-accurate',
    urlCode: 's',
  },
  {
    id: 'board',
    label: 'Fits the board',
    help: 'The int8 .tflite must fit the board’s flash and its tensor arena the board’s RAM (export/mcu-fit.ts); the search then keeps the most held-back accuracy.',
    arg: BOARDS.ids.join('|'),
    field: 'Board',
    defaultText: BOARDS.defaultId as string,
    feasible: 'above',
    objective: 'most-accurate',
    urlCode: 'b',
  },
]);
export type AutoBudgetKind = IdOf<typeof AUTO_BUDGETS>;

/** A budget as the engine takes it: points for max-drop, bytes for max-size, a board id for board. */
export type AutoBudget = { kind: 'max-drop'; points: number } | { kind: 'max-size'; bytes: number } | { kind: 'board'; board: BoardId };

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** "100KB", "0.5 MB", "2048" (bytes) -> bytes. KB is 1024 bytes, as the studio's figures print it. */
export function parseBytes(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb)?\s*$/i.exec(text);
  const bytes = m ? Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()] : Number.NaN;
  if (!(bytes > 0)) throw new StudioError('bad-settings', `${field}: must be a positive size such as 100KB, 0.5MB or 2048 (bytes), got "${text}".`, { field, value: text });
  return bytes;
}

/** The budget from its kind and the text the user gave, or an error naming `field` and what it takes. */
export function parseBudget(kind: AutoBudgetKind, text: string, field = `--${kind}`): AutoBudget {
  switch (kind) {
    case 'max-drop': {
      const points = Number(text);
      if (text.trim() === '' || !Number.isFinite(points) || points < 0 || points > 100) throw new StudioError('bad-settings', `${field}: must be accuracy points between 0 and 100, e.g. 1.0, got "${text}".`, { field, value: text });
      return { kind, points };
    }
    case 'max-size':
      return { kind, bytes: parseBytes(text, field) };
    case 'board':
      return { kind, board: BOARDS.check(text, field).id };
  }
}

/** A budget as a request carries it, checked field by field (the page and the CLI build it with parseBudget). */
export function checkBudget(b: unknown, field = 'budget'): AutoBudget {
  const o = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
  const kind = AUTO_BUDGETS.check(o.kind, `${field}.kind`).id;
  const bad = (key: string, what: string) => new StudioError('bad-settings', `${field}.${key}: ${what} (got ${JSON.stringify(o[key]) ?? 'nothing'}).`, { field: `${field}.${key}`, value: o[key] });
  switch (kind) {
    case 'max-drop':
      if (!(typeof o.points === 'number' && o.points >= 0 && o.points <= 100)) throw bad('points', 'must be accuracy points between 0 and 100');
      return { kind, points: o.points };
    case 'max-size':
      if (!(typeof o.bytes === 'number' && o.bytes > 0)) throw bad('bytes', 'must be a positive number of bytes');
      return { kind, bytes: o.bytes };
    case 'board':
      return { kind, board: BOARDS.check(o.board, `${field}.board`).id };
  }
}

/** "≤ 1.0 pt", "≤ 100.0 KB", "fits ESP32 (…)". */
export function describeBudget(b: AutoBudget): string {
  switch (b.kind) {
    case 'max-drop':
      return `accuracy loss ≤ ${b.points.toFixed(1)} pt`;
    case 'max-size':
      return `gzip'd size ≤ ${(b.bytes / 1024).toFixed(1)} KB`;
    case 'board':
      return `fits the ${BOARDS.get(b.board).label}`;
  }
}
