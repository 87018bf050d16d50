/**
 * What a compression run did, in one sentence read off its result: the recipe as it ran (pruning,
 * fine-tuning steps taken, quantization and the calibration images used) and what it cost, e.g.
 *
 *   "Pruned 50% of the conv and dense weights of each layer by magnitude, quantized to int8 per
 *    channel with min-max ranges from 500 calibration images: 82.1% smaller (gzip), −0.20 points
 *    of accuracy on 1,000 test images."
 *
 * Size is the study's measure (study/size-reduction.ts: gzip where pruning left zeros, else the
 * format's dense bytes, against the float32 model); accuracy is the difference in points.
 */
import { sizeReduction } from '../study/size-reduction';
import type { CompressResult, StageRecord } from './compress';
import { pruneParam, type PruneSettings } from './compress-settings';

const pct = (fraction: number) => `${Number((fraction * 100).toFixed(1))}%`;

function kinds(p: PruneSettings): string {
  const k = p.layerKinds.length ? p.layerKinds : ['conv', 'dense'];
  return k.length === 1 ? k[0] : `${k.slice(0, -1).join(', ')} and ${k[k.length - 1]}`;
}

function prunePart(p: PruneSettings): string | undefined {
  const spared = p.spareFirstLast ? ' (first and last layer kept)' : '';
  const gradual = p.schedule.kind === 'gradual' ? ', gradually while fine-tuning' : '';
  switch (p.method) {
    case 'none':
      return undefined;
    case 'per-layer':
      return `Pruned ${pct(p.sparsity)} of the ${kinds(p)} weights of each layer by magnitude${spared}${gradual}`;
    case 'global':
      return `Pruned ${pct(p.sparsity)} of all ${kinds(p)} weights by magnitude, ranked across layers${spared}${gradual}`;
    case 'n:m':
      return `Kept the ${p.n} largest of every ${p.m} weights along the input channels of the ${kinds(p)} layers (${pct((p.m - p.n) / p.m)} pruned)${spared}${gradual}`;
    case 'structured':
      return `Removed ${pct(p.sparsity)} of the filters of each prunable layer by ${p.criterion.toUpperCase()} norm${spared}`;
    case 'obs':
      if (p.allocation === 'sensitivity')
        return `Pruned ${pct(p.sparsity)} of all the ${kinds(p)} weights, more in the layers whose pruning alone moves the predictions least, each layer's by their effect on its outputs, re-fitting the kept weights on ${pruneParam(p, 'images')} training images (no training)${spared}`;
      return `Pruned ${pct(p.sparsity)} of the ${kinds(p)} weights of each layer by their effect on its outputs, re-fitting the kept weights on ${pruneParam(p, 'images')} training images (no training)${spared}`;
    case 'obs-n:m':
      return `Kept ${p.n} of every ${p.m} weights along the input channels of the ${kinds(p)} layers (${pct((p.m - p.n) / p.m)} pruned), chosen by their effect on the layer's outputs and re-fitted on ${pruneParam(p, 'images')} training images (no training)${spared}`;
  }
}

type RunFacts = Pick<CompressResult, 'settings' | 'stages' | 'before' | 'after'>;

function stage(r: RunFacts, name: StageRecord['stage']): StageRecord | undefined {
  return r.stages.find((s) => s.stage === name);
}

function quantPart(r: RunFacts): string | undefined {
  const q = r.settings.quant;
  const recon = [q.rounding === 'gptq' ? 'GPTQ rounding' : '', q.biasCorrection === 'mean' ? 'bias correction' : ''].filter(Boolean).join(' and ');
  const granularity = `${q.granularity === 'per-channel' ? 'per channel' : 'per tensor'}${recon ? ` with ${recon}` : ''}`;
  if (q.mode === 'int8') {
    const images = stage(r, 'quantize')?.detail.calibrationImages;
    const method = { minmax: 'min-max', percentile: `${q.calibration.percentile}th-percentile`, mse: 'MSE' }[q.calibration.method];
    return `quantized to int8 ${granularity} with ${method} ranges from ${typeof images === 'number' ? images.toLocaleString('en') : '?'} calibration images`;
  }
  if (q.mode === 'weight-int8') return `stored the weights as int8 ${granularity} (activations stay float)`;
  if (q.mode === 'float16') return 'stored the weights as float16';
  return undefined;
}

function finetunePart(r: RunFacts): string | undefined {
  const steps = stage(r, 'finetune')?.detail.steps;
  return typeof steps === 'number' ? `fine-tuned for ${steps.toLocaleString('en')} steps` : undefined;
}

/**
 * A preview measures no gzip size (jobs/preview.ts); where the study's measure would be gzip, its
 * sentence uses the sparse format's bytes (a bitmask plus the non-zero values), and says so.
 */
function reduction(r: RunFacts): { pct: number; basis: string } {
  const s = sizeReduction(r.before, r.after);
  if (Number.isFinite(s.pct)) return { pct: s.pct, basis: s.basis === 'gzip' ? ' (gzip)' : '' };
  return { pct: (1 - r.after.size.sparseBytes / r.before.size.float32Bytes) * 100, basis: ' (sparse format)' };
}

function sizePart(r: RunFacts): string {
  const s = reduction(r);
  const basis = s.basis;
  if (Math.abs(s.pct) < 0.05) return 'same size';
  return s.pct > 0 ? `${Number(s.pct.toFixed(1))}% smaller${basis}` : `${Number((-s.pct).toFixed(1))}% larger${basis}`;
}

function accuracyPart(r: RunFacts): string {
  const d = (r.after.metrics.accuracy - r.before.metrics.accuracy) * 100;
  const sign = d > 0.005 ? '+' : d < -0.005 ? '−' : '±';
  return `${sign}${Math.abs(d).toFixed(2)} points of accuracy on ${r.after.metrics.count.toLocaleString('en')} test images`;
}

export function runSentence(r: RunFacts): string {
  const parts = [prunePart(r.settings.prune), finetunePart(r), quantPart(r)].filter((p): p is string => !!p);
  const did = parts.length ? parts.join(', ') : 'Measured the model as it is (float32, nothing pruned)';
  return `${did.charAt(0).toUpperCase()}${did.slice(1)}: ${sizePart(r)}, ${accuracyPart(r)}.`;
}
