/**
 * The zoo trainer (tools/zoo/train.py) reads CIFAR-100 in its official binary format: records of
 * 1 coarse label byte, 1 fine label byte and three 32x32 colour planes. The files here are written
 * by the test, so the expected labels and pixels are known exactly; the trainer must take the
 * fine label and keep the planes as NCHW. A missing file is named with where it was looked for.
 *
 * Where /usr/bin/python3 has no torch the trainer cannot run, and the tests are skipped with the
 * reason in their names (as tests/unit/native-peer.test.ts does).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const ZOO = resolve(__dirname, '../../tools/zoo');
const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const unavailable = probe.error ? `${PYTHON} cannot be run` : probe.status !== 0 ? `${PYTHON} has no torch` : undefined;
const note = unavailable ? ` [SKIPPED: ${unavailable}]` : '';

/** One CIFAR-100 record: coarse, fine, then R, G, B planes filled so each pixel is recognisable. */
function record(coarse: number, fine: number, seed: number): Uint8Array {
  const r = new Uint8Array(2 + 3072);
  r[0] = coarse;
  r[1] = fine;
  for (let i = 0; i < 3072; i++) r[2 + i] = (seed * 7 + i * 13) % 256;
  return r;
}

function load(dir: string): { status: number | null; stdout: string; stderr: string } {
  const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(ZOO)}); import train
tx, ty, vx, vy = train.load_dataset(${JSON.stringify(dir)}, "cifar100")
print(json.dumps({"tx": list(tx.shape), "ty": ty.tolist(), "vx": list(vx.shape), "vy": vy.tolist(),
  "px": [int(tx[1, 0, 0, 0]), int(tx[1, 1, 0, 0]), int(tx[1, 2, 31, 31])]}))`;
  return spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
}

describe('zoo trainer: CIFAR-100 in the official binary format', () => {
  it.skipIf(!!unavailable)(`reads fine labels and NCHW planes from train.bin.gz / test.bin.gz${note}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cifar100-'));
    mkdirSync(join(dir, 'cifar100'));
    const train = [record(3, 97, 0), record(19, 42, 1), record(0, 0, 2)];
    const test = [record(5, 99, 3)];
    writeFileSync(join(dir, 'cifar100', 'train.bin.gz'), gzipSync(Buffer.concat(train)));
    writeFileSync(join(dir, 'cifar100', 'test.bin.gz'), gzipSync(Buffer.concat(test)));
    const r = load(dir);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { tx: number[]; ty: number[]; vx: number[]; vy: number[]; px: number[] };
    expect(out.tx).toEqual([3, 3, 32, 32]);
    expect(out.ty).toEqual([97, 42, 0]);
    expect(out.vx).toEqual([1, 3, 32, 32]);
    expect(out.vy).toEqual([99]);
    // Record 1 (seed 1): R plane starts at byte 0, G at 1024, B's last pixel is byte 3071.
    expect(out.px).toEqual([(7 + 0) % 256, (7 + 1024 * 13) % 256, (7 + 3071 * 13) % 256]);
  });

  it.skipIf(!!unavailable)(`names the missing file and where it looked${note}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cifar100-'));
    const r = load(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`CIFAR-100: ${join(dir, 'cifar100', 'train.bin.gz')} is missing`);
  });
});
