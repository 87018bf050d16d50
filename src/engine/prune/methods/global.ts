/** Unstructured magnitude pruning with one ranking over all pruned layers: magnitude.ts globalMagnitudeMasks. */
import { magnitudePruner } from './magnitude-pruner';

export const global = magnitudePruner('global');
