/**
 * What a compression run did, in one sentence read off its result: the recipe as it ran (pruning,
 * fine-tuning steps taken, quantization and the calibration images used) and what it cost, e.g.
 *
 *   "Pruned 50% of the conv and dense weights of each layer by magnitude, quantized to int8 per
 *    channel with min-max ranges from 500 calibration images: 82.1% smaller (gzip), −0.20 points
 *    of accuracy on 1,000 test images."
 *
 * The pruning clause is the method's own (its `sentence` in choices/prune-methods.ts), so a new
 * method brings its sentence with its table entry.
 *
 * Size is the study's measure (study/size-reduction.ts: gzip where pruning left zeros, else the
 * format's dense bytes, against the float32 model); accuracy is the difference in points.
 */
import { LAYER_KINDS, PRUNE_CRITERIA } from '../choices/prune';
import type { PruneSentenceWords } from '../choices/prune-methods';
import { BIAS_CORRECTIONS, CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES, ROUNDINGS } from '../choices/quantize';
import { sizeReduction } from '../study/size-reduction';
import type { CompressResult, StageRecord } from './compress';
import { pruneMethodOf, pruneParam, type PruneSettings } from './compress-settings';

const pct = (fraction: number) => `${Number((fraction * 100).toFixed(1))}%`;

function kinds(p: PruneSettings): string {
  // No kinds in the settings means the default kinds (compress-settings.ts withDefaults).
  const k = p.layerKinds.length ? p.layerKinds : LAYER_KINDS.defaultIds;
  return k.length === 1 ? k[0] : `${k.slice(0, -1).join(', ')} and ${k[k.length - 1]}`;
}

/** The words of a run's prune settings that a method's sentence is made of. */
export function sentenceWords(p: PruneSettings): PruneSentenceWords {
  return {
    sparsity: pct(p.sparsity),
    kinds: kinds(p),
    spared: p.spareFirstLast ? ' (first and last layer kept)' : '',
    gradual: p.schedule.kind === 'gradual' ? ', gradually while fine-tuning' : '',
    n: p.n,
    m: p.m,
    nmPruned: pct((p.m - p.n) / p.m),
    criterion: PRUNE_CRITERIA.get(p.criterion).label,
    allocation: p.allocation,
    param: (key) => pruneParam(p, key),
  };
}

/** The method's own clause (choices/prune-methods.ts `sentence`): each method says what it did. */
function prunePart(p: PruneSettings): string | undefined {
  return pruneMethodOf(p).sentence(sentenceWords(p));
}

type RunFacts = Pick<CompressResult, 'settings' | 'stages' | 'before' | 'after'>;

function stage(r: RunFacts, name: StageRecord['stage']): StageRecord | undefined {
  return r.stages.find((s) => s.stage === name);
}

/** The format's own clause (choices/quantize.ts `sentence`), with the rounding's and bias correction's words. */
function quantPart(r: RunFacts): string | undefined {
  const q = r.settings.quant;
  const recon = [ROUNDINGS.get(q.rounding).sentence, BIAS_CORRECTIONS.get(q.biasCorrection).sentence].filter(Boolean).join(' and ');
  const images = stage(r, 'quantize')?.detail.calibrationImages;
  return QUANT_MODES.get(q.mode).sentence({
    granularity: `${GRANULARITIES.get(q.granularity).label.toLowerCase()}${recon ? ` with ${recon}` : ''}`,
    ranges: CALIBRATION_METHODS.get(q.calibration.method).ranges(q.calibration.percentile),
    calibrationImages: typeof images === 'number' ? images.toLocaleString('en') : '?',
  });
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
