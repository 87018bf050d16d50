/** data/head.ts: the first records of a split, inflating only their bytes, equal those of the full loader. */
import { describe, expect, it } from 'vitest';
import { loadHead } from '../../src/engine/data/head';
import { loadDataset } from '../../src/engine/data/load';
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
      const full = await loadDataset(d, 'train', r, { first: 0, count: 200 });
      expect(head.count).toBe(200);
      expect(head.shape).toEqual(full.shape);
      expect(Buffer.from(head.pixels).equals(Buffer.from(full.pixels))).toBe(true);
      expect(Array.from(head.labels)).toEqual(Array.from(full.labels));
    }, 60_000);
  }
});
