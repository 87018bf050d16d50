/** Unstructured magnitude pruning, each layer to the sparsity (or its override): magnitude.ts magnitudeMask. */
import { magnitudePruner } from './magnitude-pruner';

export const perLayer = magnitudePruner('per-layer');
