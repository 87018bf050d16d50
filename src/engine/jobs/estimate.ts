/**
 * Job-time estimate from a model's MACs and params, the image counts of each step and a measured
 * device speed (MAC/s of a small calibration conv timed where the job will run). It lets the studio
 * and the CLI ask before a job expected to take more than CONFIRM_ABOVE_S, rather than starting a
 * multi-hour job silently. Factors are rough multiples of one forward pass, kept here in one place.
 */
import { MAX_BLOCK_COLS } from '../recon/linalg';
import { REFIT_MAX_MACS } from '../recon/refit';

export const CONFIRM_ABOVE_S = 10 * 60;
/** Latency is measured for at most this long on a big model (a few runs suffice for a median). */
export const LATENCY_CAP_S = 15;

/** Cost of one image in each step, in forward passes: a training step is forward + backward (~3). */
export const STEP_FORWARD_PASSES = {
  evaluate: 1,
  calibrate: 1,
  quantizedEvaluate: 1.5,
  realInt8Agreement: 2,
  fineTune: 3,
} as const;

/** A layer as pruning with reconstruction solves it (recon/layer-problem.ts layerShape). */
export interface ReconLayerShape {
  groups: number;
  rows: number;
  cols: number;
  /** Output positions per image (h·w of a convolution's output, 1 for a dense layer): input vectors per image. */
  positions: number;
}

/**
 * What pruning with reconstruction (`obs`) will do: the layers it prunes, how many calibration
 * and held-back images, how many trial sparsities each layer is solved at (the allocation's
 * analyses), how many pruning passes, and whether each layer is fitted to the dense model.
 */
export interface ReconEstimateInput {
  layers: ReconLayerShape[];
  calibrationImages: number;
  heldOutImages: number;
  trialsPerLayer: number;
  prunePasses: number;
  denseTargets: boolean;
  /** Each pruning's kept weights re-solved exactly (recon/refit.ts), at most REFIT_MAX_MACS per layer and block. */
  refit?: boolean;
}

export interface EstimateInput {
  macs: number;
  params: number;
  /** MAC/s measured by the device-speed calibration. */
  macPerSecond: number;
  evalImages: number;
  /** Evaluations of the float model between stages (settings.stageAccuracy), besides before and after. */
  stageEvaluations?: number;
  calibrationImages?: number;
  prune?: boolean;
  quantize?: boolean;
  fineTuneImages?: number;
  export?: boolean;
  latencyRuns?: number;
  /** With pruning by reconstruction: its own, much larger, cost. */
  reconstruction?: ReconEstimateInput;
}

export interface StepEstimate {
  step: 'evaluate' | 'prune' | 'calibrate' | 'quantized-evaluate' | 'fine-tune' | 'export' | 'real-int8-agreement' | 'latency';
  seconds: number;
}

/** Per-weight work of pruning (sort/threshold) and export (serialise, convert): ~1e-7 s per param. */
const SECONDS_PER_PARAM = 1e-7;

/**
 * Multiply-adds per second of the Float64 JavaScript loops of the reconstruction (Cholesky,
 * inverse, the OBS column loop), on one core of the 2-core development VM: 0.3 ns per
 * multiply-add in the four-row product kernel, slower in the factorization (2026-12-07; 1.2e9
 * before the loops went four rows at a time).
 */
const JS_MACS_PER_SECOND = 2.5e9;
/**
 * What the terms below leave out (the device speed is measured on one large convolution, which
 * runs faster than im2col, small layers and the Float64 accumulation of H), fitted on a quiet
 * 2-core VM on 2026-12-07 (Node, wasm, 15.5 GMAC/s measured): the prune stage of MobileNetV1 1.0
 * at 80% with two allocation passes took 82-93 s against 189 s of terms, the custom CNN with
 * sensitivity allocation 45 s (MNIST, 85 s of terms) and 70-77 s (CIFAR-10, 110 s). With this
 * factor the estimate is 0.8-1.1x of those; a rough figure, enough to ask before a long job.
 */
const RECON_OVERHEAD = 1.3;

/**
 * Seconds of pruning with reconstruction: forward passes to collect each layer's inputs (from the
 * input up to the layer: half a pass on average, twice with dense targets) in each pruning pass
 * and each analysis, the products that accumulate H (and C) from them on the backend, forward passes from the layer on for each trial (half a pass on average, on
 * the held-back images), and the solves: per layer and pass a factorization (~2·cols³ with the
 * inverse) and per trial or pruning the OBS column loop (rows·cols²/2), in blocks of at most
 * MAX_BLOCK_COLS columns, and per pruning the exact refit when asked (its worst case, bounded).
 */
export function reconstructionSeconds(r: ReconEstimateInput, forwardSeconds: number, backendSecondsPerMac: number): number {
  const analyses = r.trialsPerLayer > 0 ? (r.prunePasses > 1 ? 2 : 1) : 0;
  const capturePasses = r.prunePasses + analyses;
  // Each layer's inputs come from the previous layer's cut (recon/in-order.ts): one forward pass
  // per image and pruning pass or analysis, not half a pass per layer.
  const captures = capturePasses * r.calibrationImages * (r.denseTargets ? 2 : 1);
  const trials = r.layers.length * r.trialsPerLayer * r.heldOutImages * 0.5;
  let js = 0;
  // H = Σ x xᵀ (and C with dense targets) on the backend: images x positions x cols² per group and capture.
  let hMacs = 0;
  for (const l of r.layers) {
    hMacs += capturePasses * r.calibrationImages * l.positions * l.groups * l.cols ** 2 * (r.denseTargets ? 2 : 1);
    const blocks = Math.ceil(l.cols / MAX_BLOCK_COLS);
    const width = Math.min(l.cols, MAX_BLOCK_COLS);
    const factor = l.groups * blocks * 2 * width ** 3;
    const solve = (l.groups * blocks * l.rows * width ** 2) / 2;
    const fit = r.denseTargets ? l.groups * blocks * (width ** 3 + 2 * l.rows * width ** 2) : 0;
    // The refit's worst case is half the weights kept: a (cols/2)³/3 solve per row, and G once.
    const refit = r.refit ? l.groups * blocks * Math.min(REFIT_MAX_MACS, (l.rows * (width / 2) ** 3) / 3 + (l.rows * width ** 2) / 2 + width ** 3 / 3) : 0;
    js += capturePasses * (factor + fit) + (r.trialsPerLayer + r.prunePasses) * solve + r.prunePasses * refit;
  }
  return RECON_OVERHEAD * ((captures + trials) * forwardSeconds + hMacs * backendSecondsPerMac + js / JS_MACS_PER_SECOND);
}

export function estimateJob(x: EstimateInput): { steps: StepEstimate[]; totalSeconds: number; needsConfirmation: boolean } {
  const pass = x.macs / x.macPerSecond;
  const steps: StepEstimate[] = [{ step: 'evaluate', seconds: (1 + (x.stageEvaluations ?? 0)) * x.evalImages * pass * STEP_FORWARD_PASSES.evaluate }];
  if (x.prune) steps.push({ step: 'prune', seconds: x.reconstruction ? reconstructionSeconds(x.reconstruction, pass, 1 / x.macPerSecond) : x.params * SECONDS_PER_PARAM });
  if (x.fineTuneImages) steps.push({ step: 'fine-tune', seconds: x.fineTuneImages * pass * STEP_FORWARD_PASSES.fineTune });
  if (x.quantize) {
    steps.push({ step: 'calibrate', seconds: (x.calibrationImages ?? 0) * pass * STEP_FORWARD_PASSES.calibrate });
    steps.push({ step: 'quantized-evaluate', seconds: x.evalImages * pass * STEP_FORWARD_PASSES.quantizedEvaluate });
  }
  if (x.export) {
    steps.push({ step: 'export', seconds: x.params * SECONDS_PER_PARAM });
    steps.push({ step: 'real-int8-agreement', seconds: x.evalImages * pass * STEP_FORWARD_PASSES.realInt8Agreement });
    steps.push({ step: 'latency', seconds: Math.min(LATENCY_CAP_S, (x.latencyRuns ?? 0) * pass) });
  }
  const totalSeconds = steps.reduce((a, s) => a + s.seconds, 0);
  return { steps, totalSeconds, needsConfirmation: totalSeconds > CONFIRM_ABOVE_S };
}

/** "about 12 min", "about 2.5 h": the words the confirmation dialog and the CLI refusal use. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}
