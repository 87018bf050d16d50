/**
 * How a user's model expects its images scaled, declared once: the choices the upload offers
 * (0-1, -1-1, the dataset's mean/std, raw 0-255), each as the engine's Preprocessing for a
 * dataset, and the proposal: the choice that classifies 200 training images best. A model trained
 * on one scaling and fed another loses most of its accuracy silently, and nothing in an ONNX,
 * TFLite or Keras file records the scaling, so the studio measures rather than guesses
 * (propose-scaling.ts). Plain data, so the UI can list the choices without loading tfjs.
 */
import { getDataset } from '../data/registry';
import type { DatasetId, Preprocessing } from '../types';
import { defineChoice, type IdOf } from './choice';

/**
 * Per-channel pixel mean and standard deviation (0-255) of each dataset's training split, as
 * the common normalisation constants have them (MNIST 0.1307/0.3081, Fashion-MNIST 0.2860/0.3530;
 * CIFAR as the registry's baselines use).
 */
export function datasetStats(id: DatasetId): { mean: number[]; std: number[] } {
  switch (id) {
    case 'mnist':
      return { mean: [33.3184], std: [78.5675] };
    case 'fashion-mnist':
      return { mean: [72.9404], std: [90.0212] };
    default: {
      const p = getDataset(id).preprocessing;
      if (p.kind !== 'standardize') throw new Error(`no statistics for ${id}`);
      return { mean: p.mean, std: p.std };
    }
  }
}

const halves = (d: DatasetId): number[] => new Array<number>(getDataset(d).shape[2]).fill(127.5);

/** The default is only the table's; the upload starts from defaultScaling(dataset). */
export const SCALINGS = defineChoice('upload.scaling', [
  { id: 'unit', label: '0 to 1 (pixel / 255)', help: 'Keras and tfjs image models most often divide pixels by 255.', preprocessing: (): Preprocessing => ({ kind: 'scale', scale: 1 / 255 }), default: true },
  { id: 'symmetric', label: '−1 to 1 (pixel / 127.5 − 1)', help: 'MobileNet-style preprocessing.', preprocessing: (d: DatasetId): Preprocessing => ({ kind: 'standardize', mean: halves(d), std: halves(d) }) },
  { id: 'dataset', label: 'the dataset’s mean and standard deviation', help: 'PyTorch-style Normalize with the training split’s statistics.', preprocessing: (d: DatasetId): Preprocessing => ({ kind: 'standardize', ...datasetStats(d) }) },
  { id: 'raw', label: 'raw 0 to 255', help: 'The model takes the pixel values as they are.', preprocessing: (): Preprocessing => ({ kind: 'scale', scale: 1 }) },
]);
export type ScalingId = IdOf<typeof SCALINGS>;

export function scalingPreprocessing(id: ScalingId, d: DatasetId): Preprocessing {
  return SCALINGS.check(id).preprocessing(d);
}

/** The choice that matches the dataset's own baselines' scaling (what the upload offers first). */
export function defaultScaling(d: DatasetId): ScalingId {
  const p = getDataset(d).preprocessing;
  return p.kind === 'scale' ? (p.scale === 1 ? 'raw' : 'unit') : 'dataset';
}

/** How many training images the proposal classifies. */
export const PROPOSAL_IMAGES = 200;

export interface ScalingProposal {
  /** Accuracy on the training images, per choice, in SCALINGS order. */
  rows: Array<{ id: ScalingId; accuracy: number }>;
  best: ScalingId;
  images: number;
}
