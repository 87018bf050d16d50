/**
 * The pruning methods, as data: what each is called, what it reads of the prune settings and what
 * it needs. Each method's implementation is a file of prune/methods/, listed in
 * prune/methods/registry.ts by the same id; the form, the validator, the URL codec, the CLI and the
 * labels read this table. Adding a method: docs/ARCHITECTURE.md, "Add a pruning method".
 */
import { defineChoice, type ChoiceOption, type IdOf } from './choice';
import type { PruneAllocation } from './prune';

/** A number a method takes besides the shared prune settings, kept in `prune.params[key]`. */
export interface PruneParamSpec {
  key: string;
  label: string;
  help: string;
  default: number;
  min: number;
  max: number;
  integer?: boolean;
  /** A 0/1 switch, shown as a checkbox. */
  toggle?: boolean;
  /** Shown with the advanced pruning settings rather than beside the method. */
  advanced?: boolean;
}

/**
 * The words a method's sentence is made of, filled from the run's prune settings by
 * jobs/run-sentence.ts, so that each method says what it did in its own entry.
 */
export interface PruneSentenceWords {
  /** The settings' sparsity as a percentage ("50%"). */
  sparsity: string;
  /** The layer kinds pruned ("conv and dense"). */
  kinds: string;
  /** " (first and last layer kept)" when they were spared, else "". */
  spared: string;
  /** ", gradually while fine-tuning" for a gradual schedule, else "". */
  gradual: string;
  /** The N:M pattern, and the fraction of weights it prunes as a percentage. */
  n: number;
  m: number;
  nmPruned: string;
  /** The structured criterion's label ("L1 norm"). */
  criterion: string;
  allocation: PruneAllocation;
  /** The method's own parameter (its default when the settings leave it out). */
  param(key: string): number;
}

export interface PruneMethodOption extends ChoiceOption {
  /** How the stages table and the job log describe it ("unstructured per layer"). */
  readonly summary: string;
  /** What the sparsity slider means for it (the form's hint). */
  readonly sparsityHelp: string;
  /** Which shared prune settings it reads; the form disables the others and the validator checks only these. */
  readonly uses: { readonly sparsity: boolean; readonly nm: boolean; readonly criterion: boolean; readonly layerKinds: boolean; readonly overrides: boolean; readonly gradual: boolean; readonly allocation: boolean };
  /** Removes whole filters (a smaller dense model) instead of zeroing weights; keeps one filter per group, so sparsity < 1. */
  readonly structured: boolean;
  /** Needs calibration images (drawn from the training split) to prune, as a reconstruction method (OBS, SparseGPT) does. */
  readonly needsCalibrationData: boolean;
  /** Its own numeric parameters, in `prune.params`. */
  readonly params: readonly PruneParamSpec[];
  /** The key of the idea the page explains it with (components/ideas/ideas.ts; a test checks each key is there). */
  readonly idea?: string;
  /**
   * What a run with it did, as the first clause of the run's sentence under the headline
   * (jobs/run-sentence.ts), e.g. "Pruned 50% of the conv and dense weights of each layer by
   * magnitude"; undefined when it prunes nothing.
   */
  readonly sentence: (w: PruneSentenceWords) => string | undefined;
}

/** An advanced on/off setting (1 or 0), on by default. */
const ADVANCED_SWITCH_ON = { default: 1, min: 0, max: 1, integer: true, toggle: true, advanced: true } as const;

/** The reconstruction methods' own settings: how many calibration images, the Hessian's damping, what each layer is fitted to, and whether its kept weights are solved exactly. */
const RECONSTRUCTION_PARAMS: readonly PruneParamSpec[] = [
  // From 8: the live preview re-fits on 12 (jobs/preview.ts PREVIEW_RECON_IMAGES).
  { key: 'images', label: 'Calibration images', help: 'Training images whose activations each layer is re-fitted to (SparseGPT uses 128).', default: 256, min: 8, max: 2048, integer: true },
  { key: 'damp', label: 'Damping', help: 'Added to the diagonal of each layer’s Hessian, as a fraction of its mean (SparseGPT and GPTQ use 0.01).', default: 0.01, min: 0.0001, max: 1 },
  {
    key: 'dense',
    label: 'Fit to the dense model',
    help: '1: each layer is fitted to the outputs the unpruned model gives (so it also absorbs the error of the layers pruned before it); 0: to its own outputs, as SparseGPT does.',
    ...ADVANCED_SWITCH_ON,
  },
  {
    key: 'refit',
    label: 'Solve the kept weights exactly',
    help: '1: once each layer’s mask is chosen, each output’s kept weights are re-solved by least squares on the calibration inputs (SparseGPT’s own update only reaches the weights after each removed one); 0: SparseGPT’s update as it is. Layers where the solve would cost over about half a second keep SparseGPT’s.',
    ...ADVANCED_SWITCH_ON,
  },
];

/** Sensitivity allocation's own setting (`obs` only: N:M has no allocation). */
const ALLOCATION_PARAMS: readonly PruneParamSpec[] = [
  {
    key: 'passes',
    label: 'Allocation passes',
    help: 'With sensitivity allocation: 2 measures every layer again inside the model pruned by the first allocation and allocates once more (better, about twice the time); 1 allocates from the dense model’s measurements only.',
    default: 2,
    min: 1,
    max: 2,
    integer: true,
    advanced: true,
  },
];

const none = { sparsity: false, nm: false, criterion: false, layerKinds: false, overrides: false, gradual: false, allocation: false } as const;

export const PRUNE_METHODS = defineChoice('prune.method', [
  { id: 'none', label: 'None', summary: 'no pruning', help: 'Keep every weight.', sparsityHelp: '', urlCode: 'none', uses: none, structured: false, needsCalibrationData: false, params: [], sentence: () => undefined },
  {
    id: 'per-layer',
    label: 'Unstructured, per layer',
    summary: 'unstructured per layer',
    help: 'Zero the smallest-magnitude weights of each layer (Han et al. 2015, arXiv:1506.02626).',
    sparsityHelp: 'Fraction of weights set to zero.',
    urlCode: 'pl',
    uses: { ...none, sparsity: true, layerKinds: true, overrides: true, gradual: true },
    structured: false,
    needsCalibrationData: false,
    params: [],
    idea: 'magnitude',
    sentence: (w: PruneSentenceWords) => `Pruned ${w.sparsity} of the ${w.kinds} weights of each layer by magnitude${w.spared}${w.gradual}`,
  },
  {
    id: 'global',
    label: 'Unstructured, global',
    summary: 'unstructured global',
    help: 'Zero the smallest-magnitude weights over all pruned layers at once: layers with many small weights lose more.',
    sparsityHelp: 'Fraction of weights set to zero.',
    urlCode: 'gl',
    uses: { ...none, sparsity: true, layerKinds: true, gradual: true },
    structured: false,
    needsCalibrationData: false,
    params: [],
    idea: 'global',
    sentence: (w: PruneSentenceWords) => `Pruned ${w.sparsity} of all ${w.kinds} weights by magnitude, ranked across layers${w.spared}${w.gradual}`,
  },
  {
    id: 'structured',
    label: 'Structured (whole filters)',
    summary: 'structured filters',
    help: 'Remove whole filters by their norm, with the coupled channels of Adds and depthwise layers: a smaller dense model (Li et al. 2017, arXiv:1608.08710).',
    sparsityHelp: 'Fraction of filters removed in each layer.',
    urlCode: 'st',
    uses: { ...none, sparsity: true, criterion: true, overrides: true },
    structured: true,
    needsCalibrationData: false,
    params: [],
    idea: 'structured',
    sentence: (w: PruneSentenceWords) => `Removed ${w.sparsity} of the filters of each prunable layer by ${w.criterion}${w.spared}`,
  },
  {
    id: 'n:m',
    label: '2:4 semi-structured',
    summary: 'N:M',
    help: 'Keep the N largest of every M consecutive input-channel weights (Mishra et al. 2021, arXiv:2104.08378).',
    sparsityHelp: 'Keeps the 2 largest of every 4 input-channel weights.',
    urlCode: 'nm',
    uses: { ...none, nm: true, layerKinds: true, gradual: true },
    structured: false,
    needsCalibrationData: false,
    params: [],
    idea: 'nm',
    sentence: (w: PruneSentenceWords) => `Kept the ${w.n} largest of every ${w.m} weights along the input channels of the ${w.kinds} layers (${w.nmPruned} pruned)${w.spared}${w.gradual}`,
  },
  {
    id: 'obs',
    label: 'Reconstruction (SparseGPT), no training',
    summary: 'unstructured with reconstruction',
    help: 'Per layer, in network order: remove the weights whose loss the layer’s own inputs show to matter least (OBS saliency w²/[H⁻¹]ii) and update the others to compensate, from calibration images (Frantar & Alistarh 2023, arXiv:2301.00774). Needs no fine-tuning.',
    sparsityHelp: 'Fraction of all pruned layers’ weights set to zero, spread over the layers by the allocation; the kept weights are re-fitted.',
    urlCode: 'ob',
    uses: { ...none, sparsity: true, layerKinds: true, overrides: true, allocation: true },
    structured: false,
    needsCalibrationData: true,
    params: [...RECONSTRUCTION_PARAMS, ...ALLOCATION_PARAMS],
    idea: 'reconstruction',
    // The default: no training, so the first Compress keeps the accuracy that magnitude pruning
    // loses without fine-tuning (docs/STUDIO.md, "The default recipe").
    default: true,
    sentence: (w: PruneSentenceWords) =>
      w.allocation === 'sensitivity'
        ? `Pruned ${w.sparsity} of all the ${w.kinds} weights, more in the layers whose pruning alone moves the predictions least, each layer's by their effect on its outputs, re-fitting the kept weights on ${w.param('images')} training images (no training)${w.spared}`
        : `Pruned ${w.sparsity} of the ${w.kinds} weights of each layer by their effect on its outputs, re-fitting the kept weights on ${w.param('images')} training images (no training)${w.spared}`,
  },
  {
    id: 'obs-n:m',
    label: '2:4 with reconstruction, no training',
    summary: 'N:M with reconstruction',
    help: 'Keep 2 of every 4 input-channel weights, chosen by OBS saliency, and update the kept weights to compensate (SparseGPT’s N:M mode, arXiv:2301.00774).',
    sparsityHelp: 'Keeps 2 of every 4 input-channel weights; the kept weights are re-fitted.',
    urlCode: 'onm',
    uses: { ...none, nm: true, layerKinds: true },
    structured: false,
    needsCalibrationData: true,
    params: RECONSTRUCTION_PARAMS,
    idea: 'reconstruction',
    sentence: (w: PruneSentenceWords) =>
      `Kept ${w.n} of every ${w.m} weights along the input channels of the ${w.kinds} layers (${w.nmPruned} pruned), chosen by their effect on the layer's outputs and re-fitted on ${w.param('images')} training images (no training)${w.spared}`,
  },
]);
export type PruneMethod = IdOf<typeof PRUNE_METHODS>;
/** A method's table entry with its id typed. */
export type PruneMethodEntry = PruneMethodOption & { readonly id: PruneMethod };
/** Every entry has the full descriptor (a missing field is a compile error here). */
export const PRUNE_METHOD_OPTIONS: readonly PruneMethodEntry[] = PRUNE_METHODS.options;

/** A method's table entry, typed as the full descriptor. */
export function pruneMethod(id: PruneMethod): PruneMethodEntry {
  return PRUNE_METHODS.get(id);
}

/** Whether a method prunes at all: every pruning method takes a sparsity or an N:M pattern ('none' takes neither). */
export function isPruning(m: Pick<PruneMethodOption, 'uses'>): boolean {
  return m.uses.sparsity || m.uses.nm;
}

/** The N:M pattern the form offers ("2:4"). */
export const DEFAULT_NM = { n: 2, m: 4 } as const;
