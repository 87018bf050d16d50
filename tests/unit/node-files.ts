/** Test helpers: paths of the prepared data and the shared datasets, and a Node file reader. */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PUBLIC = join(ROOT, 'public');
export const SHARED_DATASETS = process.env.STUDIO_SHARED_DATASETS ?? resolve(ROOT, '../shared/datasets');

export function dirReader(dir: string): (name: string) => Promise<Uint8Array> {
  return async (name) => new Uint8Array(await readFile(join(dir, name)));
}
