/**
 * The data-preparation step: puts every dataset the studio serves under public/data/<id>/, as
 * gzip files in the official formats, plus public/data/manifest.json describing what is there.
 *
 * Source order: the shared copy (../shared/datasets, checked against its published sha256s), then
 * the official download (checked against the published MD5s). Work is skipped when the manifest
 * says the output is complete and current.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import type { DatasetDescriptor } from '../../src/engine/data/registry';
import { download, DownloadError, sha256 } from './download';
import { readTarMembers } from './tar';

/** Bump when the output layout changes, so old outputs count as stale. */
export const PREP_VERSION = 1;

/** Folder names of the shared copy, where they differ from the dataset id. */
const SHARED_FOLDER: Record<string, string> = { cifar10: 'cifar-10', cifar100: 'cifar-100' };

export interface PreparedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface PreparedDataset {
  id: string;
  available: boolean;
  source?: 'shared' | 'download';
  sourcePath?: string;
  files?: PreparedFile[];
  caveats?: DatasetDescriptor['caveats'];
  error?: string;
}

export interface Manifest {
  version: number;
  preparedAt: string;
  datasets: Record<string, PreparedDataset>;
}

export interface PrepareOptions {
  sharedDir: string;
  outDir: string;
  log?: (line: string) => void;
  force?: boolean;
}

export class DatasetUnavailableError extends Error {}

export function readManifest(outDir: string): Manifest | undefined {
  const p = join(outDir, 'manifest.json');
  if (!existsSync(p)) return undefined;
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as Manifest;
    return m.version === PREP_VERSION ? m : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(outDir: string, datasets: Record<string, PreparedDataset>): void {
  mkdirSync(outDir, { recursive: true });
  const m: Manifest = { version: PREP_VERSION, preparedAt: new Date().toISOString(), datasets };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(m, null, 1) + '\n');
}

/** True when the earlier output for `d` is complete: every file there with its recorded size. */
export function isCurrent(entry: PreparedDataset | undefined, outDir: string): boolean {
  if (!entry?.available || !entry.files) return false;
  return entry.files.every((f) => {
    const p = join(outDir, entry.id, f.name);
    return existsSync(p) && statSync(p).size === f.bytes;
  });
}

function fromShared(d: DatasetDescriptor, dir: string): Map<string, Uint8Array> | undefined {
  if (!d.files.every((f) => existsSync(join(dir, f.name)))) return undefined;
  const out = new Map<string, Uint8Array>();
  for (const f of d.files) {
    const bytes = new Uint8Array(readFileSync(join(dir, f.name)));
    const expected = d.sharedSha256?.[f.name];
    const found = sha256(bytes);
    if (expected && found !== expected) {
      throw new DownloadError(`${d.label}: ${join(dir, f.name)} is corrupt: sha256 ${found}, expected ${expected} (see the shared datasets README)`);
    }
    out.set(f.name, bytes);
  }
  return out;
}

async function fromDownload(d: DatasetDescriptor, log: (s: string) => void): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const archive = d.official['*'];
  if (archive) {
    log(`${d.label}: downloading ${archive.url}`);
    const tgz = await download(archive.url, archive.md5, d.label, { log });
    const members = readTarMembers(gunzipSync(tgz), (name) => name.startsWith(`${archive.archiveDir}/`));
    for (const f of d.files) {
      const inner = `${archive.archiveDir}/${f.name.replace(/\.gz$/, '')}`;
      const bytes = members.get(inner);
      if (!bytes) throw new DownloadError(`${d.label}: ${archive.url} has no member ${inner}`);
      out.set(f.name, f.name.endsWith('.gz') ? gzipSync(bytes, { level: 6, mtime: 0 }) : bytes);
    }
    return out;
  }
  for (const f of d.files) {
    const src = d.official[f.name];
    log(`${d.label}: downloading ${src.url}`);
    out.set(f.name, await download(src.url, src.md5, `${d.label} ${f.name}`, { log }));
  }
  return out;
}

export async function prepareDataset(d: DatasetDescriptor, opts: PrepareOptions, previous?: PreparedDataset): Promise<PreparedDataset> {
  const log = opts.log ?? (() => {});
  if (!opts.force && isCurrent(previous, opts.outDir)) {
    log(`${d.label}: up to date (${previous!.source})`);
    return previous!;
  }
  const sharedPath = join(opts.sharedDir, SHARED_FOLDER[d.id] ?? d.id);
  let files = fromShared(d, sharedPath);
  let source: 'shared' | 'download' = 'shared';
  if (files) {
    log(`${d.label}: copying from ${sharedPath}`);
  } else {
    source = 'download';
    const tried = Object.values(d.official).map((o) => o.url);
    try {
      files = await fromDownload(d, log);
    } catch (e) {
      throw new DatasetUnavailableError(
        `${d.label} is not available: not found in ${sharedPath} (looked for ${d.files.map((f) => f.name).join(', ')}), ` + `and the official download failed (tried ${tried.join(', ')}): ${(e as Error).message}`,
      );
    }
  }
  const dir = join(opts.outDir, d.id);
  mkdirSync(dir, { recursive: true });
  const prepared: PreparedFile[] = [];
  for (const f of d.files) {
    const bytes = files.get(f.name)!;
    writeFileSync(join(dir, f.name), bytes);
    prepared.push({ name: f.name, bytes: bytes.length, sha256: sha256(bytes) });
  }
  log(`${d.label}: ready in ${dir} (${source})`);
  return { id: d.id, available: true, source, sourcePath: source === 'shared' ? sharedPath : Object.values(d.official)[0].url, files: prepared, caveats: source === 'shared' ? d.caveats : [] };
}
