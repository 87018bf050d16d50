/**
 * What the lecture tour says at each step (state/tour.ts holds the steps and their settings). The
 * figures in the texts are read from the settings the step runs, never written twice.
 */
import { STUDY_PROFILES } from '../../engine/study/preset';
import type { TourStep } from '../../state/ui-slice';

const run = STUDY_PROFILES.lecture.run;
const pct = (f: number) => `${Math.round(f * 100)}%`;

export const TOUR_TEXT: Record<TourStep, { short: string; title: string; text: string }> = {
  baseline: {
    short: 'Baseline',
    title: 'Step 1: the baseline',
    text: `The model as trained, in float32: nothing pruned, nothing quantized. Press Compress to measure it on ${run.evalLimit?.toLocaleString('en') ?? 'all'} test images; every later step is compared with these figures.`,
  },
  pruning: {
    short: 'Pruning',
    title: 'Step 2: pruning',
    text: `Global magnitude pruning sets ${pct(run.sparsity)} of the weights to zero (the first and last layers are kept), then ${run.steps} fine-tuning steps let the others adapt. The dense size stays the same; the gzip size falls, because zeros compress. The grey cells in the layer picture are the pruned weights.`,
  },
  int8: {
    short: 'INT8',
    title: 'Step 3: INT8',
    text: `Full-integer INT8 stores each weight in one byte instead of four, on a grid with one scale per output channel, and calibrates the activations on ${run.calibrationSamples} training images. Compare the size and the accuracy with the baseline’s.`,
  },
  'pruning-int8': {
    short: 'Both',
    title: 'Step 4: pruning and INT8',
    text: 'Pruning, then INT8: the combination the study compares with each method alone. Zeros compress well and each remaining weight takes one byte, so the two reductions add up; check what it costs in accuracy.',
  },
};
