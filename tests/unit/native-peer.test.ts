/**
 * The native peer (bench/peer): Debian's python3-torch, given the same baseline weights and the
 * same 200 test records, predicts what the studio's engine predicts (float32 accuracy within one
 * image), its own int8 engine agrees with its float model on at least 97% of them, and a peer
 * that cannot run here comes back as { missing } with the reason, while a failing one throws.
 *
 * Where /usr/bin/python3 has no torch, the peer tests are skipped and their names say why.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isInt8Supported, isMissing, runNativePeer, DEFAULT_PYTHON } from '../../bench/peer/native-peer';
import { initBackend } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { evaluate } from '../../src/engine/evaluate';
import { loadLayersModel } from '../../src/engine/models/load';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const mnist = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const RECORDS = { first: 0, count: 200 };

/** Why the peer cannot run on this machine, or undefined when it can. */
function peerUnavailable(): string | undefined {
  const r = spawnSync(DEFAULT_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${DEFAULT_PYTHON} cannot be run (${r.error.message})`;
  if (r.status !== 0) return `${DEFAULT_PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
  return undefined;
}
const unavailable = peerUnavailable();
if (unavailable) console.warn(`native-peer tests SKIPPED: ${unavailable}; install Debian's python3-torch to run them`);
const skipNote = unavailable ? ` [SKIPPED: ${unavailable}]` : '';

beforeAll(async () => {
  expect((await initBackend('wasm')).active).toBe('wasm');
});

describe('native peer (python3-torch)', () => {
  it.skipIf(unavailable !== undefined)(
    `float32 accuracy equals the studio's on the same 200 records; int8 agrees with float on >= 97%${skipNote}`,
    async () => {
      const peer = await runNativePeer({ modelId: mnist.id, ...RECORDS, calibration: 100, runs: 3 });
      if (isMissing(peer)) throw new Error(`the peer is missing although torch imports: ${peer.missing}`);
      expect(peer.testRecords).toEqual(RECORDS);
      // The peer's torch modules compute what the trainer's graph computes.
      expect(peer.float.maxLogitDiffVsTrainerGraph).toBeLessThan(1e-4);

      const { model } = await loadLayersModel(mnist.path, dirReader(PUBLIC));
      try {
        const d = getDataset(mnist.dataset);
        const ds = await loadDataset(d, 'test', dirReader(join(PUBLIC, 'data', d.id)), RECORDS);
        const { metrics } = await evaluate(model, ds, mnist.preprocessing);
        expect(Math.abs(metrics.accuracy - peer.float.accuracy) * 100).toBeLessThanOrEqual(0.5);
        expect(Math.abs(metrics.macroRecall - peer.float.macroRecall) * 100).toBeLessThanOrEqual(1);
      } finally {
        model.dispose();
      }

      if (!isInt8Supported(peer.int8)) throw new Error(`torch int8 is unsupported for custom-cnn-mnist: ${peer.int8.unsupported}`);
      expect(peer.int8.agreementWithFloat).toBeGreaterThanOrEqual(0.97);
      expect(peer.int8.calibration).toMatchObject({ images: 100, source: 'training split' });
      expect(peer.int8.imagesPerSecond).toBeGreaterThan(0);
      expect(peer.float.latencyMsP50).toBeGreaterThan(0);
    },
    60_000,
  );

  it('a nonexistent interpreter is a missing peer, with the reason', async () => {
    const r = await runNativePeer({ modelId: mnist.id, python: '/nonexistent/bin/python3' });
    expect(isMissing(r)).toBe(true);
    if (isMissing(r)) expect(r.missing).toMatch(/nonexistent.*ENOENT/);
  });

  it.skipIf(unavailable !== undefined)(
    `an interpreter without torch is a missing peer; a failing peer throws${skipNote}`,
    async () => {
      // A python3 that finds a torch.py raising ImportError first on its path, as if torch were absent.
      const dir = mkdtempSync(join(tmpdir(), 'no-torch-'));
      writeFileSync(join(dir, 'torch.py'), 'raise ImportError("No module named \'torch\'", name="torch")\n');
      const shim = join(dir, 'python3');
      writeFileSync(shim, `#!/bin/sh\nPYTHONPATH=${dir} exec ${DEFAULT_PYTHON} "$@"\n`);
      chmodSync(shim, 0o755);
      const r = await runNativePeer({ modelId: mnist.id, python: shim });
      expect(r).toEqual({ missing: expect.stringMatching(/torch is not installed/) });

      await expect(runNativePeer({ modelId: 'no-such-baseline' })).rejects.toThrow(/no-such-baseline.*not in public\/models\/index.json/);
    },
    30_000,
  );
});
