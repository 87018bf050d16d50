/**
 * The study this studio starts from, and the figures it published that our measurements are put
 * beside: Shabir, Torta, Damiani, "TinyML model compression: a comparative study of pruning and
 * quantization", Telecommunication Systems, 2025. The one copy of these numbers: `npm run bench`
 * (bench/study.ts) and the studio's "Reproduce the study" preset both read them from here.
 */
import type { ModelFamily } from '../types';

export const STUDY_CITATION = 'Shabir, Torta, Damiani, "TinyML model compression: a comparative study of pruning and quantization", Telecommunication Systems, 2025';
export const STUDY_SHORT = 'Shabir et al., 2025';

/** The study's four methods, in its order. */
export const STUDY_METHODS = ['baseline', 'pruning', 'int8', 'pruning-int8'] as const;
export type StudyMethod = (typeof STUDY_METHODS)[number];
/** Each method's name in the study's table, and in a run's row (where the row says the sparsity it ran). */
export const STUDY_METHOD_INFO: Record<StudyMethod, { label: string; row: (sparsity: number) => string }> = {
  baseline: { label: 'baseline', row: () => 'baseline (float32)' },
  pruning: { label: 'pruning', row: (sp) => `prune ${Math.round(sp * 100)}%` },
  int8: { label: 'INT8 full-integer', row: () => 'INT8' },
  'pruning-int8': { label: 'pruning + INT8', row: (sp) => `prune ${Math.round(sp * 100)}% + INT8` },
};

export interface PublishedFigure {
  /** Our architecture family it is compared with. */
  family: ModelFamily;
  /** The model and dataset as the study names them (read after "the study: ... on ..."). */
  model: string;
  dataset: string;
  method: StudyMethod;
  /** Size after compression against the float32 model, in percent (0-100). */
  sizeReductionPct: number;
  /** The study reports accuracy as retained; no per-configuration accuracy figure is encoded here. */
  accuracy: 'retained';
}

/** The study's headline figures (its abstract): size reduction with pruning + INT8, accuracy retained. */
export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  { family: 'mobilenet-v1', model: 'MobileNet', dataset: 'CIFAR-100', method: 'pruning-int8', sizeReductionPct: 77.01, accuracy: 'retained' },
  { family: 'custom-cnn', model: 'its own custom CNN', dataset: 'its own dataset', method: 'pruning-int8', sizeReductionPct: 94.38, accuracy: 'retained' },
];

export function publishedFigure(family: string, method: StudyMethod): PublishedFigure | undefined {
  return PUBLISHED_FIGURES.find((f) => f.family === family && f.method === method);
}
