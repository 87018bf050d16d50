/**
 * The job-time estimate of a compress job (jobs/estimate.ts) from its model, settings and the
 * measured device speed: shared by the CLI's refusal without --yes and the studio's question
 * before a long job, so both ask about the same figure.
 */
import { getDataset } from '../data/registry';
import type { Graph } from '../graph/ir';
import { PRUNERS } from '../prune/methods/registry';
import type { BaselineEntry } from '../types';
import type { CompressSettings } from './compress-settings';
import { estimateJob, formatDuration } from './estimate';

/** Images one fine-tuning epoch sees: the training limit (else the whole split), cut by a step cap. */
function fineTuneImagesPerEpoch(f: { trainLimit?: number; maxSteps?: number; batchSize: number }, trainCount: number): number {
  const images = f.trainLimit ?? trainCount;
  return f.maxSteps ? Math.min(f.maxSteps * f.batchSize, images) : images;
}

export function estimateCompress(entry: Pick<BaselineEntry, 'macs' | 'params' | 'dataset' | 'testData'>, s: CompressSettings, g: Graph, macPerSecond: number) {
  const pruner = PRUNERS[s.prune.method];
  return estimateJob({
    reconstruction: pruner.work ? pruner.work(g, s.prune) : undefined,
    macs: entry.macs,
    params: entry.params,
    macPerSecond,
    evalImages: s.evalLimit ?? entry.testData.count,
    stageEvaluations: s.stageAccuracy ? (s.prune.method !== 'none' ? 1 : 0) + (s.finetune.epochs > 0 ? 1 : 0) : 0,
    calibrationImages: s.quant.calibration.samples,
    prune: s.prune.sparsity > 0,
    quantize: s.quant.mode !== 'none',
    fineTuneImages: s.finetune.epochs * fineTuneImagesPerEpoch(s.finetune, getDataset(entry.dataset).trainCount),
    latencyRuns: s.latencyRuns,
  });
}

/** "about 2.5 h on this machine (evaluate about 21 s, prune about 2.5 h, ...)". */
export function describeEstimate(e: ReturnType<typeof estimateJob>): string {
  return `${formatDuration(e.totalSeconds)} on this machine (${e.steps.map((x) => `${x.step} ${formatDuration(x.seconds)}`).join(', ')})`;
}
