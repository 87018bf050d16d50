/**
 * The model zoo: every architecture the studio can build, by stable id.
 * Listed explicitly (nothing registers itself on import).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelFamily, ModelSpec } from '../types';
import { ARCHITECTURE_INFO, type ArchitectureInfo } from './architectures';
import { buildCustomCnn } from './custom-cnn';
import { buildMobileNetV1 } from './mobilenet-v1';
import { buildResNet } from './resnet';
import { buildVgg16 } from './vgg16';

export interface ArchitectureEntry extends ArchitectureInfo {
  build: (spec: Omit<ModelSpec, 'family'>) => tf.LayersModel;
}

/**
 * How each family builds; the ids, labels and notes are ARCHITECTURE_INFO's (architectures.ts).
 * Keyed by family, so a new family without a builder fails to compile ('uploaded' has none).
 */
const BUILDERS: Record<Exclude<ModelFamily, 'uploaded'>, (a: ArchitectureInfo) => ArchitectureEntry['build']> = {
  'custom-cnn': () => (s) => buildCustomCnn({ ...s, family: 'custom-cnn' }),
  'mobilenet-v1': (a) => (s) => buildMobileNetV1({ ...s, family: 'mobilenet-v1', alpha: a.alpha! }),
  resnet50: () => (s) => buildResNet({ ...s, family: 'resnet50' }, 'resnet50'),
  resnet101: () => (s) => buildResNet({ ...s, family: 'resnet101' }, 'resnet101'),
  vgg16: () => (s) => buildVgg16({ ...s, family: 'vgg16' }),
};

function builderOf(a: ArchitectureInfo): ArchitectureEntry['build'] {
  if (a.family === 'uploaded') throw new Error(`Architecture "${a.id}": an uploaded model has no builder.`);
  return BUILDERS[a.family](a);
}

export const ARCHITECTURES: readonly ArchitectureEntry[] = ARCHITECTURE_INFO.map((a) => ({ ...a, build: builderOf(a) }));

export function getArchitecture(id: string): ArchitectureEntry {
  const a = ARCHITECTURES.find((x) => x.id === id);
  if (!a) throw new Error(`Unknown architecture "${id}". Known: ${ARCHITECTURES.map((x) => x.id).join(', ')}`);
  return a;
}
