/** data/head.ts: the first records of a split, inflating only their bytes, equal those of the full loader. */
import { describe, expect, it } from 'vitest';
import { loadHead } from '../../src/engine/data/head';
import { loadDataset, loadWhole } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import type { DatasetId } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';

const read = dirReader(PUBLIC);

describe('loadHead', () => {
  for (const id of ['mnist', 'cifar10'] as DatasetId[]) {
    it(`${id}: the first 200 training records, as the full loader gives them`, async () => {
      const d = getDataset(id);
      const r = (n: string) => read(`data/${id}/${n}`);
      const head = await loadHead(d, 'train', r, 200);
      // The full loader over CIFAR-10's first training batch only: the 200 records are all in it,
      // and the other four batches cost 6 s to inflate.
      const later = d.files.filter((f) => f.split === 'train' && f.format.endsWith('-bin')).slice(1);
      const full = await loadWhole({ ...d, files: d.files.filter((f) => !later.includes(f)) }, 'train', r, { first: 0, count: 200 });
      expect(head.count).toBe(200);
      expect(head.shape).toEqual(full.shape);
      expect(Buffer.from(head.pixels).equals(Buffer.from(full.pixels))).toBe(true);
      expect(Array.from(head.labels)).toEqual(Array.from(full.labels));
      // loadDataset takes this path for a training subset from record 0.
      const viaLoad = await loadDataset(d, 'train', r, { count: 200 });
      expect(Buffer.from(viaLoad.pixels).equals(Buffer.from(full.pixels))).toBe(true);
    }, 60_000);
  }

  it('loadDataset reads only a training subset from record 0 as a prefix: test records and later subsets are inflated whole and CRC-checked', async () => {
    const d = getDataset('mnist');
    // Every file with its gzip trailer's CRC-32 altered: only a whole-file read can notice.
    const badCrc = async (n: string) => {
      const b = Uint8Array.from(await read(`data/mnist/${n}`));
      b[b.length - 8] ^= 0xff;
      return b;
    };
    expect((await loadDataset(d, 'train', badCrc, { count: 100 })).count).toBe(100);
    await expect(loadDataset(d, 'test', badCrc, { count: 100 })).rejects.toThrow(/CRC-32/);
    await expect(loadDataset(d, 'train', badCrc, { first: 10, count: 100 })).rejects.toThrow(/CRC-32/);
  }, 60_000);
});
