/** Node-side file access for the CLI and benchmarks: the same paths the studio serves. */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../../src/engine/errors';
import type { BaselineIndex } from '../../src/engine/types';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PUBLIC = join(ROOT, 'public');

/** Reads a path relative to public/ (e.g. "models/index.json", "data/mnist/..."). */
export async function readPublic(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(PUBLIC, path)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StudioError('dataset-missing', `${join(PUBLIC, path)} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}. Run "npm run prepare-data" first.`, { fileName: path });
  }
}

export async function readIndex(): Promise<BaselineIndex> {
  return JSON.parse(new TextDecoder().decode(await readPublic('models/index.json'))) as BaselineIndex;
}
