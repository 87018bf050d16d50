/**
 * What a pruning method implements. Its id, label, flags and parameters are data in
 * choices/prune-methods.ts; the implementation is one file of this folder, listed in registry.ts.
 * A method gets the job's prune settings (its own parameters in `p.params`, read with
 * compress-settings.ts pruneParam) and returns a new graph; it never changes the one it is given.
 */
import type { Graph } from '../../graph/ir';
import type { PruneSettings } from '../../jobs/compress-settings';
import type { ReconEstimateInput } from '../../jobs/estimate';
import type { Memo } from '../../jobs/compress/types';
import type { ImageDataset, Preprocessing } from '../../types';

export interface PruneContext {
  /**
   * Calibration images from the training split (never the test records), for a method whose table
   * entry says `needsCalibrationData`; `samples` is how many to use (quant.calibration.samples).
   */
  calibration?: { images: ImageDataset; preprocessing: Preprocessing; samples: number };
  signal?: AbortSignal;
  /** Progress within the prune stage, for a method that takes a while. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A preview's shortcut for a reconstruction method: each layer's input statistics are taken once
   * from the unchanged model and kept here, so a slider move costs only the solves (a full run
   * takes them from the model pruned so far, layer after layer).
   */
  statsMemo?: Memo;
  /**
   * Prune no layer after this one (network order). The layer picture draws one layer, and a
   * reconstruction method prunes each layer from the layers before it only, so the rest of the
   * network is work the picture never reads (most of it: the wide layers come last). The outcome's
   * graph is then pruned up to this layer. Methods that prune every layer in a few passes over the
   * weights, and a sensitivity allocation (it weighs all layers against each other), ignore it.
   */
  upTo?: string;
}

export interface PruneOutcome {
  graph: Graph;
  /** Masks over kernels (node name -> 1 kept, 0 pruned): fine-tuning holds these weights at zero. */
  masks?: Map<string, Uint8Array>;
  /** What the stage record keeps besides the settings (e.g. the groups structured pruning removed). */
  detail: Record<string, unknown>;
}

export interface Pruner {
  /** One-shot pruning of `g` to the settings' sparsity (or N:M pattern). */
  prune(g: Graph, p: PruneSettings, ctx: PruneContext): PruneOutcome | Promise<PruneOutcome>;
  /** Masks of `g` at `sparsity`: a gradual schedule's step. Required where the table entry says `uses.gradual`. */
  masksAt?(g: Graph, p: PruneSettings, sparsity: number): Map<string, Uint8Array>;
  /** For a method whose cost is not a few passes over the weights: what the job-time estimate (jobs/estimate.ts) needs to know of it. */
  work?(g: Graph, p: PruneSettings): ReconEstimateInput;
}
