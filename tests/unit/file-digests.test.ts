/**
 * A shipped baseline's files are checked against the sha256 recorded in index.json before they
 * are parsed (models/file-digests.ts via models/load.ts). Expected digests come from Node's own
 * crypto (an independent implementation) and the FIPS 180-2 test vector.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { type FileDigest, sha256Hex } from '../../src/engine/models/file-digests';
import { loadLayersModel } from '../../src/engine/models/load';
import { PUBLIC } from './node-files';

const DIR = 'models/custom-cnn-mnist';
const files: Record<string, Uint8Array> = {
  'model.json': new Uint8Array(readFileSync(join(PUBLIC, DIR, 'model.json'))),
  'weights.bin': new Uint8Array(readFileSync(join(PUBLIC, DIR, 'weights.bin'))),
};
const digestOf = (path: string, b: Uint8Array): FileDigest => ({ path, bytes: b.length, sha256: createHash('sha256').update(b).digest('hex') });
const reader = (f: Record<string, Uint8Array>) => async (p: string) => {
  const b = f[p.slice(DIR.length + 1)];
  if (!b) throw new Error(`no ${p}`);
  return b;
};

async function loadError(f: Record<string, Uint8Array>, digests: FileDigest[]): Promise<{ code: string; message: string }> {
  try {
    (await loadLayersModel(`${DIR}/model.json`, reader(f), digests)).model.dispose();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('loaded');
}

describe('file digests', () => {
  it('sha256Hex gives the FIPS 180-2 "abc" digest, and WebCrypto and @noble/hashes agree with node:crypto', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 2654435761) >>> 24);
    const want = createHash('sha256').update(big).digest('hex');
    expect(await sha256Hex(big)).toBe(want);
    expect(bytesToHex(sha256(big))).toBe(want);
  });

  it('loads a model whose files match their digests', async () => {
    const before = tf.memory().numTensors;
    const { model } = await loadLayersModel(
      `${DIR}/model.json`,
      reader(files),
      Object.entries(files).map(([p, b]) => digestOf(p, b)),
    );
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a weight file whose bytes changed, with both digests', async () => {
    const digests = Object.entries(files).map(([p, b]) => digestOf(p, b));
    const damaged = files['weights.bin'].slice();
    damaged[1000] ^= 1;
    const e = await loadError({ ...files, 'weights.bin': damaged }, digests);
    expect(e.code).toBe('checksum-mismatch');
    expect(e.message).toContain(`${DIR}/weights.bin: sha256 ${digestOf('w', damaged).sha256}, expected ${digests[1].sha256}`);
  });

  it('names a file of the wrong size, and a file the record does not list', async () => {
    const digests = Object.entries(files).map(([p, b]) => digestOf(p, b));
    const short = await loadError({ ...files, 'weights.bin': files['weights.bin'].subarray(4) }, digests);
    expect(short.message).toContain(`${DIR}/weights.bin: ${files['weights.bin'].length - 4} bytes, expected ${files['weights.bin'].length}`);
    const unlisted = await loadError(files, digests.slice(0, 1));
    expect(unlisted.message).toContain(`${DIR}/weights.bin: index.json lists no digest for this file (it lists model.json)`);
  });
});
