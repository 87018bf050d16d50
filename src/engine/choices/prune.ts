/**
 * The pruning choices other than the method (choices/prune-methods.ts): the structured criterion,
 * the allocation across layers, the schedule and the layer kinds pruning applies to.
 */
import { defineChoice, defineMultiChoice, type IdOf } from './choice';

/** How structured pruning ranks filters (prune/channel-norms.ts). */
export const PRUNE_CRITERIA = defineChoice('prune.criterion', [
  { id: 'l1', label: 'L1 norm', help: 'Sum of |w| over each filter (Li et al. 2017, arXiv:1608.08710).', default: true },
  { id: 'l2', label: 'L2 norm', help: 'Square root of the sum of w² over each filter (He et al. 2018, arXiv:1808.06866).' },
]);
export type PruneCriterion = IdOf<typeof PRUNE_CRITERIA>;

/**
 * How a reconstruction method spreads its sparsity over the layers (recon/allocate.ts): the
 * sparsity is then the fraction of all pruned layers' weights, not of each layer's.
 */
export const PRUNE_ALLOCATIONS = defineChoice('prune.allocation', [
  {
    id: 'sensitivity',
    label: 'By sensitivity',
    help: 'Measure how much each layer’s predictions move when it alone is pruned (several sparsities, held-back training images), then prune the tolerant layers more so that the given fraction of all weights goes at the least predicted cost.',
    urlCode: 'sn',
  },
  // The default: measuring every layer's sensitivity takes minutes, uniform takes none.
  { id: 'uniform', label: 'Uniform', help: 'The same sparsity in every pruned layer.', urlCode: 'u', default: true },
]);
export type PruneAllocation = IdOf<typeof PRUNE_ALLOCATIONS>;

/** When the masks are computed: once before fine-tuning, or rising during it (prune/schedule.ts). */
export const PRUNE_SCHEDULES = defineChoice('prune.schedule.kind', [
  { id: 'one-shot', label: 'One-shot', help: 'Prune once to the target sparsity, then fine-tune with the masks held.', urlCode: 'os', default: true },
  { id: 'gradual', label: 'Gradual (while fine-tuning)', help: 'Raise the sparsity during fine-tuning by tfmot’s polynomial decay (Zhu & Gupta 2017, arXiv:1710.01878).', urlCode: 'g' },
]);
export type PruneScheduleKind = IdOf<typeof PRUNE_SCHEDULES>;

/** tfmot's power for the polynomial decay, the studio's default for a gradual schedule. */
export const GRADUAL_DEFAULTS = { initialSparsity: 0, power: 3 } as const;

/** A gradual schedule with the studio's defaults (tfmot's power 3, from no sparsity unless given). */
export function gradualSchedule(initialSparsity: number = GRADUAL_DEFAULTS.initialSparsity): { kind: 'gradual'; initialSparsity: number; power: number } {
  return { kind: 'gradual', initialSparsity, power: GRADUAL_DEFAULTS.power };
}

/** Which weighted layers unstructured pruning touches (tfmot prunes conv and dense by default). */
export const LAYER_KINDS = defineMultiChoice('prune.layerKinds', [
  { id: 'conv', label: 'conv', help: 'Convolutions (Conv2D).', kerasClass: 'Conv2D', default: true },
  { id: 'depthwise', label: 'depthwise', help: 'Depthwise convolutions: few weights each, and sensitive.', kerasClass: 'DepthwiseConv2D' },
  { id: 'dense', label: 'dense', help: 'Fully connected layers.', kerasClass: 'Dense', default: true },
]);
export type LayerKind = IdOf<typeof LAYER_KINDS>;

/** The layer kind of a Keras layer class (a model.json's class_name), or undefined for a layer pruning never touches. */
export function layerKindOfKerasClass(className: string): LayerKind | undefined {
  return LAYER_KINDS.options.find((o) => o.kerasClass === className)?.id;
}
