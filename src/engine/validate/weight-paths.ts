/**
 * Where a weights manifest's path points, among the files a user supplied. Real writers use more
 * than plain names: tfjs 4.x browser saves write `./model.weights.bin`, and a converted model may
 * keep its shards in a sub-folder that the user drops together with model.json. Neither is path
 * traversal. What is refused: absolute paths, URLs (any `:`), backslashes, and `..` that leaves
 * the model's folder. Files are keyed by their path relative to what the user gave (a dropped
 * folder keeps its structure; picked files are bare names).
 */
import { bad } from './keras-topology';

export const MAX_PATH_LENGTH = 1024;

/** The folder part of a supplied path, with its trailing slash ('' for a bare name). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * A manifest path resolved against the folder of the model file, or a refusal naming why. The
 * result is a supplied-file key (folder + normalised relative path).
 */
export function resolveWeightPath(file: string, p: unknown): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH_LENGTH) bad(file, `a weights path must be a file name; found ${JSON.stringify(p)?.slice(0, 80)}.`, { found: p });
  const refuse = (why: string): never => bad(file, `the weights path "${p}" ${why}; only files inside the model's folder are read (absolute paths, URLs and ".." out of the folder are refused).`, { found: p });
  if (p.includes(':')) refuse('is a URL or a drive path');
  if (p.includes('\\')) refuse('contains a backslash');
  if (p.startsWith('/')) refuse('is an absolute path');
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) refuse("leaves the model's folder");
      out.pop();
    } else out.push(s);
  }
  if (out.length === 0) refuse('names a folder, not a file');
  return folderOf(file) + out.join('/');
}

/**
 * The supplied file a manifest path means: the exact relative path, else the one supplied file
 * with the same base name (the user picked loose files, or the folder differs); several such
 * files are named rather than guessed between.
 */
export function findWeightFile(file: string, p: string, resolved: string, supplied: ReadonlyMap<string, Uint8Array>): string {
  if (supplied.has(resolved)) return resolved;
  const base = baseName(resolved);
  const candidates = [...supplied.keys()].filter((k) => baseName(k) === base);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) bad(file, `the weights path "${p}" matches several supplied files (${candidates.join(', ')}); supply the model's folder as it was saved, or only the files of one model.`, { found: candidates });
  return bad(file, `the weights file "${p}" is missing; supplied: ${[...supplied.keys()].join(', ') || 'none'}.`, { expected: p });
}

/** A supplied file's relative path: non-empty segments, no ".", "..", backslash or colon. */
export function checkSuppliedPath(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_PATH_LENGTH) return 'is not a file name';
  if (/[\\:]/.test(name) || name.startsWith('/')) return 'is not a plain relative path';
  const segs = name.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..' || s.length > 255)) return 'is not a plain relative path';
  return undefined;
}
