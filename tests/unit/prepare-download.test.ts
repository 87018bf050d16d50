/**
 * The data-preparation step against a loopback HTTP server serving fixture files: a good
 * download, a truncated one, a wrong checksum, a tar.gz archive (CIFAR style), the shared copy,
 * and the message when neither source has the dataset.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDescriptor } from '../../src/engine/data/registry';
import { getDataset } from '../../src/engine/data/registry';
import { md5 } from '../../tools/prepare/download';
import { DatasetUnavailableError, isCurrent, prepareDataset } from '../../tools/prepare/prepare';
import { cifarRecords, gz, idxImages, idxLabels } from './fixtures';

const files: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': gz(idxImages(6, 28, 28)),
  'train-labels-idx1-ubyte.gz': gz(idxLabels([0, 1, 2, 3, 4, 5])),
  't10k-images-idx3-ubyte.gz': gz(idxImages(2, 28, 28)),
  't10k-labels-idx1-ubyte.gz': gz(idxLabels([7, 8])),
};
let server: Server;
let base = '';
let tarball: Uint8Array;
const tmp = mkdtempSync(join(tmpdir(), 'prep-'));

beforeAll(async () => {
  // A CIFAR-100-style archive, made with the system's tar: an independent writer of the format.
  const src = join(tmp, 'src', 'cifar-100-binary');
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'train.bin'),
    cifarRecords([
      [1, 10],
      [2, 20],
      [3, 30],
    ]),
  );
  writeFileSync(join(src, 'test.bin'), cifarRecords([[4, 40]]));
  writeFileSync(join(src, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `f${i}`).join('\n'));
  writeFileSync(join(src, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n'));
  execFileSync('tar', ['-czf', join(tmp, 'c100.tar.gz'), '-C', join(tmp, 'src'), 'cifar-100-binary']);
  tarball = new Uint8Array(readFileSync(join(tmp, 'c100.tar.gz')));

  server = createServer((req, res) => {
    const name = (req.url ?? '').split('/').pop()!;
    if (req.url?.startsWith('/truncated/')) {
      const body = files[name];
      res.writeHead(200, { 'Content-Length': String(body.length) });
      res.write(body.subarray(0, body.length >> 1));
      res.destroy();
      return;
    }
    const body = name === 'c100.tar.gz' ? tarball : files[name];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': String(body.length) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function mnistLike(prefix: string, md5s: Record<string, string> = {}): DatasetDescriptor {
  const d = getDataset('mnist');
  return {
    ...d,
    sharedSha256: undefined,
    official: Object.fromEntries(Object.keys(files).map((n) => [n, { url: `${base}${prefix}${n}`, md5: md5s[n] ?? md5(files[n]), packaging: 'gz' as const }])),
  };
}

const noShared = join(tmp, 'no-shared');

describe('prepareDataset', () => {
  it('downloads, verifies and writes every file, then reports it current', async () => {
    const out = join(tmp, 'out-ok');
    const lines: string[] = [];
    const entry = await prepareDataset(mnistLike('/'), { sharedDir: noShared, outDir: out, log: (l) => lines.push(l) });
    expect(entry.available).toBe(true);
    expect(entry.source).toBe('download');
    expect(new Uint8Array(readFileSync(join(out, 'mnist', 't10k-labels-idx1-ubyte.gz')))).toEqual(files['t10k-labels-idx1-ubyte.gz']);
    expect(lines.some((l) => l.includes('100%'))).toBe(true);
    expect(isCurrent(entry, out)).toBe(true);
    writeFileSync(join(out, 'mnist', 't10k-labels-idx1-ubyte.gz'), 'x');
    expect(isCurrent(entry, out)).toBe(false);
  });

  it('refuses a truncated download and names the dataset, the address and the sizes', async () => {
    const err = await prepareDataset(mnistLike('/truncated/'), { sharedDir: noShared, outDir: join(tmp, 'out-trunc') }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetUnavailableError);
    expect(err.message).toContain('MNIST');
    expect(err.message).toContain(`${base}/truncated/train-images-idx3-ubyte.gz`);
    expect(err.message).toMatch(/truncated|broke off/);
    expect(existsSync(join(tmp, 'out-trunc', 'mnist'))).toBe(false);
  });

  it('refuses a file whose checksum does not match', async () => {
    const d = mnistLike('/', { 't10k-images-idx3-ubyte.gz': '0'.repeat(32) });
    const err = await prepareDataset(d, { sharedDir: noShared, outDir: join(tmp, 'out-md5') }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetUnavailableError);
    expect(err.message).toContain(`checksum mismatch for ${base}/t10k-images-idx3-ubyte.gz`);
    expect(err.message).toContain(`expected ${'0'.repeat(32)}`);
  });

  it('with neither source, names the dataset, the path it looked in and the address it tried', async () => {
    const d: DatasetDescriptor = { ...getDataset('cifar100'), official: { '*': { url: 'http://127.0.0.1:9/cifar-100-binary.tar.gz', md5: '0'.repeat(32), packaging: 'tar.gz', archiveDir: 'cifar-100-binary' } } };
    const err = await prepareDataset(d, { sharedDir: noShared, outDir: join(tmp, 'out-none') }).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetUnavailableError);
    expect(err.message).toContain('CIFAR-100 is not available');
    expect(err.message).toContain(join(noShared, 'cifar-100'));
    expect(err.message).toContain('http://127.0.0.1:9/cifar-100-binary.tar.gz');
  });

  it('extracts a CIFAR-100 tar.gz archive into gzip files the loader reads', async () => {
    const d: DatasetDescriptor = { ...getDataset('cifar100'), official: { '*': { url: `${base}/c100.tar.gz`, md5: md5(tarball), packaging: 'tar.gz', archiveDir: 'cifar-100-binary' } } };
    const out = join(tmp, 'out-c100');
    const entry = await prepareDataset(d, { sharedDir: noShared, outDir: out });
    expect(entry.files?.map((f) => f.name).sort()).toEqual(['coarse_label_names.txt', 'fine_label_names.txt', 'test.bin.gz', 'train.bin.gz']);
    const { loadDataset } = await import('../../src/engine/data/load');
    const train = await loadDataset(d, 'train', async (n) => new Uint8Array(readFileSync(join(out, 'cifar100', n))));
    expect(Array.from(train.labels)).toEqual([10, 20, 30]);
    expect(train.classNames[30]).toBe('f30');
  });

  it('copies from the shared folder and checks its sha256', async () => {
    const shared = join(tmp, 'shared');
    mkdirSync(join(shared, 'mnist'), { recursive: true });
    for (const [n, b] of Object.entries(files)) writeFileSync(join(shared, 'mnist', n), b);
    const good = await prepareDataset(mnistLike('/nowhere/'), { sharedDir: shared, outDir: join(tmp, 'out-shared') });
    expect(good.source).toBe('shared');
    const bad: DatasetDescriptor = { ...mnistLike('/nowhere/'), sharedSha256: { 'train-images-idx3-ubyte.gz': 'f'.repeat(64) } };
    await expect(prepareDataset(bad, { sharedDir: shared, outDir: join(tmp, 'out-shared2') })).rejects.toThrow(/is corrupt: sha256/);
  });
});
