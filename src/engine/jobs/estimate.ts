/**
 * Job-time estimate from a model's MACs and params, the image counts of each step and a measured
 * device speed (MAC/s of a small calibration conv timed where the job will run). It lets the studio
 * and the CLI ask before a job expected to take more than CONFIRM_ABOVE_S, rather than starting a
 * multi-hour job silently. Factors are rough multiples of one forward pass, kept here in one place.
 */
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

export interface EstimateInput {
  macs: number;
  params: number;
  /** MAC/s measured by the device-speed calibration. */
  macPerSecond: number;
  evalImages: number;
  calibrationImages?: number;
  prune?: boolean;
  quantize?: boolean;
  fineTuneImages?: number;
  export?: boolean;
  latencyRuns?: number;
}

export interface StepEstimate {
  step: 'evaluate' | 'prune' | 'calibrate' | 'quantized-evaluate' | 'fine-tune' | 'export' | 'real-int8-agreement' | 'latency';
  seconds: number;
}

/** Per-weight work of pruning (sort/threshold) and export (serialise, convert): ~1e-7 s per param. */
const SECONDS_PER_PARAM = 1e-7;

export function estimateJob(x: EstimateInput): { steps: StepEstimate[]; totalSeconds: number; needsConfirmation: boolean } {
  const pass = x.macs / x.macPerSecond;
  const steps: StepEstimate[] = [{ step: 'evaluate', seconds: x.evalImages * pass * STEP_FORWARD_PASSES.evaluate }];
  if (x.prune) steps.push({ step: 'prune', seconds: x.params * SECONDS_PER_PARAM });
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
