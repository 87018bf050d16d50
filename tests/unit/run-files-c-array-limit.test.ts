/**
 * A .tflite too large for any listed board gets no C array (engine/export/run-files.ts): VGG16's
 * float32 file would have been some 370 MB of C text, built as one string in the tab.
 */
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../src/engine/choices/deploy';
import { C_ARRAY_MAX_BYTES, noCArray, runFiles } from '../../src/engine/export/run-files';
import type { CompressJobResult } from '../../src/engine/jobs/results';

describe('C arrays of large models', () => {
  it('the limit is twice the largest flash of the board table (ESP32 module, 4 MB)', () => {
    expect(Math.max(...BOARDS.options.map((b) => b.flashBytes))).toBe(4 * 1024 * 1024);
    expect(C_ARRAY_MAX_BYTES).toBe(8 * 1024 * 1024);
  });

  it('a file over the limit is listed as .tflite only, with the reason; one at the limit keeps its pair', () => {
    const big = { label: 'float32' as const, bytes: new Uint8Array(C_ARRAY_MAX_BYTES + 1), io: 'float' };
    const edge = { label: 'int8' as const, bytes: new Uint8Array(C_ARRAY_MAX_BYTES), io: 'float' };
    const r = { modelId: 'vgg16-cifar10', exports: { models: [edge, big] } } as unknown as CompressJobResult;
    expect(runFiles(r, []).map((f) => f.name)).toEqual(['vgg16_cifar10_int8.tflite', 'vgg16_cifar10_int8.h', 'vgg16_cifar10_int8.c', 'vgg16_cifar10_float32.tflite', 'vgg16_cifar10_report.json']);
    expect(noCArray(edge)).toBeUndefined();
    expect(noCArray(big)).toBe('no C array for the float32 .tflite: at 8.0 MB it is over twice the largest flash of the listed boards (4.0 MB); download the .tflite instead');
  });
});
