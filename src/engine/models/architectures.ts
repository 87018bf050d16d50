/**
 * The zoo's architectures as plain data: id, family, width multiplier, label and notes. The
 * builders are added in registry.ts, so the page can name models without importing any builder.
 */
import { getDataset } from '../data/registry';
import type { DatasetId, ModelFamily } from '../types';

export interface ArchitectureInfo {
  id: string;
  family: ModelFamily;
  label: string;
  /** The name in a tight row (the study's tables and charts): "custom CNN", "MobileNetV1 0.5". */
  short: string;
  alpha?: number;
  notes: string;
}

export const ARCHITECTURE_INFO: readonly ArchitectureInfo[] = [
  { id: 'custom-cnn', family: 'custom-cnn', label: 'Custom TinyML CNN', short: 'custom CNN', notes: '5 conv (32-32-64-64-128) + GAP + dense; sized for a 256 KB-RAM MCU at int8.' },
  ...[0.25, 0.5, 1.0].map((alpha) => ({
    id: `mobilenet-v1-${alpha}`,
    family: 'mobilenet-v1' as const,
    label: `MobileNetV1 (alpha ${alpha})`,
    short: `MobileNetV1 ${alpha}`,
    alpha,
    notes: 'Stride-1 stem for 32x32 inputs; 13 depthwise-separable blocks with the original strides.',
  })),
  { id: 'resnet50', family: 'resnet50', label: 'ResNet50', short: 'ResNet50', notes: '3x3 stride-1 stem, no max-pool (CIFAR-style); bottleneck stages 3-4-6-3.' },
  { id: 'resnet101', family: 'resnet101', label: 'ResNet101', short: 'ResNet101', notes: '3x3 stride-1 stem, no max-pool (CIFAR-style); bottleneck stages 3-4-23-3.' },
  { id: 'vgg16', family: 'vgg16', label: 'VGG16', short: 'VGG16', notes: 'BatchNorm after each conv; same-padded pools; 512-unit classifier.' },
];

/** The architecture a baseline was built from (family, and width for MobileNets). */
export function architectureOf(m: { family: ModelFamily; alpha?: number }): ArchitectureInfo | undefined {
  return ARCHITECTURE_INFO.find((a) => a.family === m.family && (a.alpha === undefined || a.alpha === m.alpha));
}

/** A baseline's name for people: its architecture's label and its dataset's, e.g. "MobileNetV1 (alpha 0.5) · CIFAR-10". */
export function baselineName(m: { family: ModelFamily; alpha?: number; dataset: DatasetId }): string {
  return `${architectureOf(m)?.label ?? m.family} · ${getDataset(m.dataset).label}`;
}

/**
 * A "big" model (VGG16, ResNet50/101: tens of MB of weights, hundreds of MMACs) is fetched only
 * when a user picks it: start-up and the default selection take a small one, and the parity test
 * checks big models on a sample in CI.
 */
export const BIG_MODEL_PARAMS = 10_000_000;

export function isBigModel(m: { params: number }): boolean {
  return m.params > BIG_MODEL_PARAMS;
}

/**
 * The model a fresh page selects: the study's custom CNN on MNIST, on which the default recipe
 * tells the study's story in seconds (docs/STUDIO.md, "The default recipe").
 */
export const DEFAULT_MODEL_ID = 'custom-cnn-mnist';

/** DEFAULT_MODEL_ID where the catalog has it, else the first small one, so start-up never fetches a big model. */
export function defaultModelId<T extends { id: string; params: number }>(models: readonly T[]): string | undefined {
  return (models.find((m) => m.id === DEFAULT_MODEL_ID) ?? models.find((m) => !isBigModel(m)) ?? models[0])?.id;
}
