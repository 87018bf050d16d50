/**
 * The fine-tune stage: the pruned graph becomes a LayersModel, `fit` trains it with the seeded
 * order, and after every optimizer step the masks are re-applied (ModelMasks), or, for a gradual
 * schedule, recomputed at tfmot's polynomial-decay sparsity on its frequency grid. The trained model
 * is read back into a graph.
 */
import type * as tf from '@tensorflow/tfjs';
import { graphFromLayersModel } from '../../graph/from-layers';
import type { Graph } from '../../graph/ir';
import { layersModelFromGraph } from '../../graph/to-layers';
import { PRUNERS } from '../../prune/methods/registry';
import { polynomialDecaySparsity, type PolynomialDecay } from '../../prune/schedule';
import { applyMasks, ModelMasks } from '../../prune/unstructured';
import { fit } from '../../train/fit';
import type { BaselineEntry, ImageDataset } from '../../types';
import type { CompressSettings } from '../compress-settings';
import { brief, evaluateFloat } from './measure';
import type { PrunedModel } from './prune-stage';
import type { CompressContext, StageRecord } from './types';

/** tfmot-style schedule over the fine-tuning steps, with defaults filled in. */
function resolveSchedule(s: CompressSettings, totalSteps: number): PolynomialDecay | undefined {
  const sch = s.prune.schedule;
  if (sch.kind !== 'gradual') return undefined;
  const endStep = Math.min(sch.endStep ?? Math.floor(0.7 * totalSteps), Math.max(0, totalSteps - 1));
  const beginStep = Math.min(sch.beginStep ?? 0, endStep);
  return { initialSparsity: sch.initialSparsity, finalSparsity: s.prune.sparsity, beginStep, endStep, frequency: sch.frequency ?? Math.max(1, Math.floor((endStep - beginStep) / 10)), power: sch.power };
}

/** The first `count` records of a dataset (views, no copy). */
function subset(ds: ImageDataset, count: number): ImageDataset {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return { ...ds, count, pixels: ds.pixels.subarray(0, count * per), labels: ds.labels.subarray(0, count) };
}

/**
 * Fine-tunes the pruned graph; `disposers` receives what must be freed when the job ends (the
 * LayersModel and the masks' tensors), so a cancel leaves nothing behind.
 */
export async function finetuneStage(
  pruned: PrunedModel,
  s: CompressSettings,
  train: ImageDataset,
  test: ImageDataset,
  entry: BaselineEntry,
  ctx: CompressContext,
  disposers: Array<() => void>,
): Promise<{ graph: Graph; record: StageRecord }> {
  const t0 = performance.now();
  const masksAt = PRUNERS[s.prune.method].masksAt;
  const model: tf.LayersModel = layersModelFromGraph(pruned.graph);
  disposers.push(() => model.dispose());
  const stepsPerEpoch = Math.floor(Math.min(train.count, s.finetune.trainLimit ?? Infinity) / s.finetune.batchSize);
  const totalSteps = Math.min(s.finetune.maxSteps ?? Infinity, stepsPerEpoch * s.finetune.epochs);
  const schedule = pruned.gradual ? resolveSchedule(s, totalSteps) : undefined;
  let masks = pruned.masks;
  let bound: ModelMasks | undefined;
  let lastSparsity: number | undefined;
  if (masks) bound = new ModelMasks(model, masks);
  disposers.push(() => bound?.dispose());
  const updates: Array<{ step: number; sparsity: number }> = [];
  // Calibration may have loaded more records than the fine-tuning limit; train on the limit.
  const trainSet = s.finetune.trainLimit && s.finetune.trainLimit < train.count ? subset(train, s.finetune.trainLimit) : train;
  const res = await fit(model, trainSet, entry.preprocessing, {
    epochs: s.finetune.epochs,
    batchSize: s.finetune.batchSize,
    learningRate: s.finetune.learningRate,
    optimizer: s.finetune.optimizer,
    seed: s.finetune.seed,
    maxSteps: s.finetune.maxSteps,
    signal: ctx.signal,
    onStep: (p) => ctx.onProgress?.('train', p.step, p.totalSteps, p),
    afterStep: (step) => {
      const target = schedule ? polynomialDecaySparsity(schedule, step) : undefined;
      if (target !== undefined && target !== lastSparsity) {
        const m = masksAt!(graphFromLayersModel(model), s.prune, target);
        if (bound) bound.update(m);
        else bound = new ModelMasks(model, m);
        lastSparsity = target;
        updates.push({ step, sparsity: target });
      } else bound?.apply();
    },
  });
  let graph = graphFromLayersModel(model);
  if (pruned.gradual && lastSparsity !== s.prune.sparsity) {
    // The run ended before the schedule's end step: prune to the final sparsity now.
    masks = masksAt!(graph, s.prune, s.prune.sparsity);
    graph = applyMasks(graph, masks);
    updates.push({ step: res.steps, sparsity: s.prune.sparsity });
  } else if (masks && !pruned.gradual) graph = applyMasks(graph, masks);
  const m = s.stageAccuracy ? await evaluateFloat(graph, test, entry, ctx) : undefined;
  return {
    graph,
    record: {
      stage: 'finetune',
      settings: s.finetune,
      elapsedMs: performance.now() - t0,
      ...(m ? brief(m) : {}),
      detail: {
        steps: res.steps,
        imagesPerSecond: res.imagesPerSecond,
        backend: res.backend,
        firstLoss: res.losses[0],
        lastLoss: res.losses.at(-1),
        losses: res.losses.filter((_, i) => i % Math.max(1, Math.floor(res.losses.length / 200)) === 0),
        scheduleUpdates: updates,
        schedule,
      },
    },
  };
}
