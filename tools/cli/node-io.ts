/** Node-side file access for the CLI and benchmarks: the same paths the studio serves. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../../src/engine/errors';
import type { TrainFromScratchResult } from '../../src/engine/jobs/train-from-scratch';
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

/** Where `npm run cli -- train` keeps models trained from scratch (git-ignored). */
export const TRAINED_INDEX = 'models/trained/index.json';

/** The shipped baselines plus any trained from scratch on this machine. */
export async function readIndex(): Promise<BaselineIndex> {
  const shipped = JSON.parse(new TextDecoder().decode(await readPublic('models/index.json'))) as BaselineIndex;
  if (!existsSync(join(PUBLIC, TRAINED_INDEX))) return shipped;
  const trained = JSON.parse(new TextDecoder().decode(await readPublic(TRAINED_INDEX))) as BaselineIndex;
  return { version: 1, models: [...shipped.models, ...trained.models.filter((m) => !shipped.models.some((s) => s.id === m.id))] };
}

/** Saves a model trained from scratch under public/models/trained/<id>/ and lists it. */
export async function saveTrained(r: TrainFromScratchResult): Promise<string> {
  const dir = join(PUBLIC, dirname(r.entry.path));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), r.artifacts.modelJson);
  await writeFile(join(dir, 'weights.bin'), r.artifacts.weights);
  const indexPath = join(PUBLIC, TRAINED_INDEX);
  const index: BaselineIndex = existsSync(indexPath) ? (JSON.parse(await readFile(indexPath, 'utf8')) as BaselineIndex) : { version: 1, models: [] };
  index.models = [...index.models.filter((m) => m.id !== r.entry.id), r.entry];
  await writeFile(indexPath, JSON.stringify(index, null, 1));
  return dir;
}
