/**
 * The model zoo: every architecture the studio can build, by stable id.
 * Listed explicitly (nothing registers itself on import).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelFamily, ModelSpec } from '../types';
import { buildCustomCnn } from './custom-cnn';
import { buildMobileNetV1 } from './mobilenet-v1';
import { buildResNet } from './resnet';
import { buildVgg16 } from './vgg16';

export interface ArchitectureEntry {
  id: string;
  family: ModelFamily;
  label: string;
  alpha?: number;
  build: (spec: Omit<ModelSpec, 'family'>) => tf.LayersModel;
  notes: string;
}

export const ARCHITECTURES: readonly ArchitectureEntry[] = [
  { id: 'custom-cnn', family: 'custom-cnn', label: 'Custom TinyML CNN', build: (s) => buildCustomCnn({ ...s, family: 'custom-cnn' }), notes: '5 conv (32-32-64-64-128) + GAP + dense; sized for a 256 KB-RAM MCU at int8.' },
  ...[0.25, 0.5, 1.0].map((alpha) => ({
    id: `mobilenet-v1-${alpha}`,
    family: 'mobilenet-v1' as const,
    label: `MobileNetV1 (alpha ${alpha})`,
    alpha,
    build: (s: Omit<ModelSpec, 'family'>) => buildMobileNetV1({ ...s, family: 'mobilenet-v1', alpha }),
    notes: 'Stride-1 stem for 32x32 inputs; 13 depthwise-separable blocks with the original strides.',
  })),
  { id: 'resnet50', family: 'resnet50', label: 'ResNet50', build: (s) => buildResNet({ ...s, family: 'resnet50' }, 'resnet50'), notes: '3x3 stride-1 stem, no max-pool (CIFAR-style); bottleneck stages 3-4-6-3.' },
  { id: 'resnet101', family: 'resnet101', label: 'ResNet101', build: (s) => buildResNet({ ...s, family: 'resnet101' }, 'resnet101'), notes: '3x3 stride-1 stem, no max-pool (CIFAR-style); bottleneck stages 3-4-23-3.' },
  { id: 'vgg16', family: 'vgg16', label: 'VGG16', build: (s) => buildVgg16({ ...s, family: 'vgg16' }), notes: 'BatchNorm after each conv; same-padded pools; 512-unit classifier.' },
];

export function getArchitecture(id: string): ArchitectureEntry {
  const a = ARCHITECTURES.find((x) => x.id === id);
  if (!a) throw new Error(`Unknown architecture "${id}". Known: ${ARCHITECTURES.map((x) => x.id).join(', ')}`);
  return a;
}
