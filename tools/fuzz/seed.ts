/** The valid model every model case mutates: the shipped custom-cnn-mnist baseline. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC } from '../cli/node-io';
import type { ModelSeed } from './corpus';

export function shippedSeed(): ModelSeed {
  const dir = join(PUBLIC, 'models', 'custom-cnn-mnist');
  return { modelJson: readFileSync(join(dir, 'model.json'), 'utf8'), weightsName: 'weights.bin', weights: new Uint8Array(readFileSync(join(dir, 'weights.bin'))) };
}
