/** The valid model every model case mutates: the shipped custom-cnn-mnist baseline. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC } from '../cli/node-io';
import type { FormatSeeds, ModelSeed } from './corpus';

export function shippedSeed(): ModelSeed {
  const dir = join(PUBLIC, 'models', 'custom-cnn-mnist');
  return { modelJson: readFileSync(join(dir, 'model.json'), 'utf8'), weightsName: 'weights.bin', weights: new Uint8Array(readFileSync(join(dir, 'weights.bin'))) };
}

/** The format fixtures (tests/fixtures/formats/: .keras, .h5, .tflite, .onnx and damaged copies). */
export function formatSeeds(): FormatSeeds {
  const dir = join(PUBLIC, '..', 'tests', 'fixtures', 'formats');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => /\.(keras|h5|tflite|onnx)$/.test(f))
      .sort()
      .map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]),
  );
}
