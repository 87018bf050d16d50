/** N:M semi-structured sparsity along the input channels: magnitude.ts nmMask. */
import { magnitudePruner } from './magnitude-pruner';

export const nm = magnitudePruner('n:m');
