/**
 * The prune stage: the method's pruner (prune/methods/registry.ts) on the float graph, then the
 * pruned model's accuracy. A gradual schedule computes no mask here: fine-tuning prunes.
 */
import { isPruning } from '../../choices/prune-methods';
import type { Graph } from '../../graph/ir';
import { PRUNERS } from '../../prune/methods/registry';
import { sharedPrune } from '../../prune/methods/shared-outcome';
import type { PruneOutcome } from '../../prune/methods/pruner';
import type { BaselineEntry, ImageDataset } from '../../types';
import { type CompressSettings, pruneMethodOf } from '../compress-settings';
import { removedFraction } from './layer-report';
import { brief, evaluateFloat } from './measure';
import type { CompressContext, StageRecord } from './types';

export interface PrunedModel {
  graph: Graph;
  masks?: Map<string, Uint8Array>;
  /** The masks come during fine-tuning (a gradual schedule). */
  gradual: boolean;
  record?: StageRecord;
}

export async function pruneStage(g0: Graph, s: CompressSettings, test: ImageDataset, train: ImageDataset | undefined, entry: BaselineEntry, ctx: CompressContext): Promise<PrunedModel> {
  const method = pruneMethodOf(s.prune);
  const gradual = method.uses.gradual && s.prune.schedule.kind === 'gradual';
  const t0 = performance.now();
  ctx.onProgress?.('prune', 0, 1);
  let out: PruneOutcome = { graph: g0, detail: {} };
  if (!gradual) {
    const calibration = method.needsCalibrationData && train ? { images: train, preprocessing: entry.preprocessing, samples: s.quant.calibration.samples } : undefined;
    const pruneCtx = { calibration, signal: ctx.signal, onProgress: (done: number, total: number) => ctx.onProgress?.('prune', done, total), statsMemo: ctx.quick?.memo ?? ctx.reuse };
    // A preview keeps its pruning for the layer picture of the same recipe, which comes next.
    out = ctx.quick ? await sharedPrune(ctx.quick.memo, g0, s.prune, pruneCtx) : await PRUNERS[method.id].prune(g0, s.prune, pruneCtx);
  }
  if (!isPruning(method)) return { graph: out.graph, gradual };
  ctx.onProgress?.('prune', 1, 1, undefined, gradual ? undefined : { removedFraction: removedFraction(g0, out.graph) });
  // Only when asked for: the final figures are measured anyway, and this pass would cost as much
  // as one of them (a preview never takes it).
  const m = ctx.quick || !s.stageAccuracy ? undefined : await evaluateFloat(out.graph, test, entry, ctx);
  const record: StageRecord = {
    stage: 'prune',
    settings: s.prune,
    elapsedMs: performance.now() - t0,
    ...(m ? brief(m) : {}),
    detail: { ...out.detail, layersPruned: out.masks ? [...out.masks.keys()] : undefined, note: gradual ? 'gradual: masks are applied during fine-tuning; this is the unpruned model' : undefined },
  };
  return { graph: out.graph, masks: out.masks, gradual, record };
}
