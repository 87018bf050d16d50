/**
 * The implementation of each pruning method of choices/prune-methods.ts, by its id: one line per
 * method. The Record type makes a table entry without an implementation a compile error, and
 * tests/unit/prune-methods.test.ts runs the conformance checks over every line.
 */
import type { PruneMethod } from '../../choices/prune-methods';
import { global } from './global';
import { nm } from './n-m';
import { none } from './none';
import { perLayer } from './per-layer';
import { reconstruction, reconstructionNm } from './reconstruction';
import type { Pruner } from './pruner';
import { structured } from './structured';

export const PRUNERS: Record<PruneMethod, Pruner> = {
  none,
  'per-layer': perLayer,
  global,
  structured,
  'n:m': nm,
  obs: reconstruction,
  'obs-n:m': reconstructionNm,
};
