/**
 * A run's exported files apart from its history record (src/state/run-files.ts): saved under the
 * run's id, read back through restoreRunFiles, kept in memory when storage refuses them, removed
 * with the run; a stored value that is not a run's files is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import type { CompressExports } from '../../src/engine/export/compress-exports';
import type { Table } from '../../src/state/idb-table';
import { restoreRunFiles, runFilesStore } from '../../src/state/run-files';

/** A 12-byte stand-in with the FlatBuffer identifier where a .tflite has it. */
const tflite = () => Uint8Array.from([12, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0]);
const exports = (): CompressExports =>
  ({
    models: [{ label: 'int8', fileName: 'model_int8.tflite', bytes: tflite(), summary: { sizeBytes: 12 }, arena: { arenaBytes: 16, perOp: [] } }],
    skipped: [],
    tfjs: { zip: Uint8Array.from([0x50, 0x4b, 3, 4]), modelJsonBytes: 10, weightBytes: 4, weightFormat: 'float32', note: '' },
    predictions: { compressed: new Uint8Array(3), baseline: new Uint8Array(3), compressedLabel: 'simulated int8 (tfjs)' },
  }) as unknown as CompressExports;

function fakeTable(opts: { failPut?: Error } = {}): Table & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    list: async () => [...data.entries()],
    get: async (k) => structuredClone(data.get(k)),
    put: async (k, v) => {
      if (opts.failPut) throw opts.failPut;
      data.set(k, structuredClone(v));
    },
    remove: async (k) => void data.delete(k),
  };
}

describe('run files', () => {
  it('saves under the run id, reads the same bytes back, and removes them with the run', async () => {
    const t = fakeTable();
    const store = runFilesStore(t);
    expect(await store.save('run-a-01', exports())).toEqual({ storage: 'indexeddb' });
    expect([...t.data.keys()]).toEqual(['run-a-01']);
    const back = (await store.load('run-a-01')) as CompressExports;
    expect([...back.models[0].bytes]).toEqual([...tflite()]);
    expect([...back.tfjs!.zip]).toEqual([0x50, 0x4b, 3, 4]);
    expect(await store.load('run-b-01')).toBeUndefined();
    await store.remove('run-a-01');
    expect(t.data.size).toBe(0);
    expect(await store.load('run-a-01')).toBeUndefined();
  });

  it('keeps the files in memory when storage refuses them, and says why', async () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    const store = runFilesStore(fakeTable({ failPut: quota }));
    expect(await store.save('run-a-01', exports())).toEqual({ storage: 'memory', reason: 'the browser’s storage quota is full' });
    expect(((await store.load('run-a-01')) as CompressExports).models[0].label).toBe('int8');
    await store.remove('run-a-01');
    expect(await store.load('run-a-01')).toBeUndefined();
  });

  it('refuses stored values that are not a run’s files, naming the problem', async () => {
    const t = fakeTable();
    const store = runFilesStore(t);
    t.data.set('run-x-01', { v: 1, exports: { ...exports(), models: [{ ...exports().models[0], bytes: new Uint8Array(12) }] } });
    expect(await store.load('run-x-01')).toEqual(new Error('the int8 file is not a .tflite FlatBuffer'));
    expect(restoreRunFiles({ v: 2, exports: exports() })).toEqual(new Error('not a version-1 record of run files'));
    expect(restoreRunFiles({ v: 1, exports: { ...exports(), tfjs: { zip: 'PK' } } })).toEqual(new Error('its tfjs model is not a zip'));
    expect(restoreRunFiles({ v: 1, exports: exports() })).not.toBeInstanceOf(Error);
  });
});
