import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCifar10, parseCifar100 } from '../../src/engine/data/cifar';
import { gunzipCapped } from '../../src/engine/data/gzip';
import { parseIdxImages, parseIdxLabels } from '../../src/engine/data/idx';
import { labelHistogram, loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { StudioError } from '../../src/engine/errors';
import { cifarRecords, gz, idxImages, idxLabels } from './fixtures';
import { dirReader, SHARED_DATASETS } from './node-files';

function studioError(fn: () => unknown): StudioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StudioError) return e;
    throw e;
  }
  throw new Error('expected a StudioError');
}

describe('IDX loader on synthetic files', () => {
  it('reads a well-formed image and label file', () => {
    const img = parseIdxImages(idxImages(3, 2, 2), 'x-images');
    expect([img.count, img.rows, img.cols]).toEqual([3, 2, 2]);
    expect(Array.from(img.pixels.subarray(0, 5))).toEqual([0, 7, 14, 21, 28]);
    expect(Array.from(parseIdxLabels(idxLabels([3, 1, 9]), 'x-labels', 10))).toEqual([3, 1, 9]);
  });

  it('names the file and the magic number it found', () => {
    const e = studioError(() => parseIdxImages(idxImages(1, 2, 2, 2049), 'bad-images.idx'));
    expect(e.code).toBe('bad-magic');
    expect(e.message).toContain('bad-images.idx');
    expect(e.message).toContain('2049');
    expect(e.message).toContain('2051');
  });

  it('refuses a truncated image file, with expected and found sizes', () => {
    const full = idxImages(4, 3, 3);
    const e = studioError(() => parseIdxImages(full.subarray(0, full.length - 5), 'short.idx'));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/short\.idx.*4 images of 3x3 \(52 bytes\).*47 bytes/);
  });

  it('refuses a label out of range, naming the record', () => {
    const e = studioError(() => parseIdxLabels(idxLabels([1, 2, 10, 3]), 'labels.idx', 10));
    expect(e.code).toBe('label-out-of-range');
    expect(e.message).toContain('labels.idx: record 2 has label 10');
  });
});

describe('CIFAR loaders on synthetic files', () => {
  it('converts CIFAR-10 planes to NHWC', () => {
    const r = parseCifar10(cifarRecords([[3], [7]]), 'batch.bin');
    expect(r.count).toBe(2);
    expect(Array.from(r.labels)).toEqual([3, 7]);
    expect(Array.from(r.pixels.subarray(0, 3))).toEqual([10, 100, 200]);
    expect(Array.from(r.pixels.subarray(3072, 3075))).toEqual([11, 101, 201]);
    expect(r.pixels[1023 * 3]).toBe(1); // R of the last pixel of image 0
  });

  it('reads CIFAR-100 fine labels by default and coarse labels on request', () => {
    const bytes = cifarRecords([
      [4, 55],
      [19, 99],
    ]);
    expect(Array.from(parseCifar100(bytes, 'train.bin').labels)).toEqual([55, 99]);
    expect(Array.from(parseCifar100(bytes, 'train.bin', 'coarse').labels)).toEqual([4, 19]);
  });

  it('refuses a truncated record', () => {
    const bytes = cifarRecords([[1], [2]]);
    const e = studioError(() => parseCifar10(bytes.subarray(0, 3073 + 100), 'data_batch_1.bin'));
    expect(e.code).toBe('truncated');
    expect(e.message).toContain('data_batch_1.bin');
    expect(e.message).toContain('1 whole records and 100 bytes left over');
  });

  it('refuses labels out of range in both CIFAR formats', () => {
    expect(studioError(() => parseCifar10(cifarRecords([[1], [10]]), 'b.bin')).message).toContain('b.bin: record 1 has label 10, but labels must be 0-9');
    expect(studioError(() => parseCifar100(cifarRecords([[20, 1]]), 'c.bin')).message).toContain('record 0 has label 20, but labels must be 0-19');
    expect(studioError(() => parseCifar100(cifarRecords([[2, 100]]), 'c.bin')).message).toContain('label 100, but labels must be 0-99');
  });

  it('loads a CIFAR-100 dataset with its label names through the registry', async () => {
    const d = getDataset('cifar100');
    const labels = Array.from({ length: 5 }, (_, i) => [i % 20, (i * 23) % 100]);
    const files: Record<string, Uint8Array> = {
      'test.bin.gz': gz(cifarRecords(labels)),
      'fine_label_names.txt': new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n')),
      'coarse_label_names.txt': new TextEncoder().encode(Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n')),
    };
    const read = async (n: string) => files[n];
    const fine = await loadDataset(d, 'test', read);
    expect(fine.numClasses).toBe(100);
    expect(Array.from(fine.labels)).toEqual([0, 23, 46, 69, 92]);
    expect(fine.classNames[23]).toBe('fine23');
    const coarse = await loadDataset(d, 'test', read, { labels: 'coarse', first: 1, count: 2 });
    expect(coarse.numClasses).toBe(20);
    expect(Array.from(coarse.labels)).toEqual([1, 2]);
    expect(coarse.classNames[2]).toBe('coarse2');
  });
});

describe('gzip with an output cap', () => {
  it('refuses a stream that would inflate past the cap (a gzip bomb)', () => {
    const bomb = gz(new Uint8Array(5_000_000));
    expect(bomb.length).toBeLessThan(10_000);
    const e = studioError(() => gunzipCapped(bomb, 'bomb.gz', 1_000_000));
    expect(e.code).toBe('size-mismatch');
    expect(e.message).toContain('bomb.gz: decompresses to 5000000 bytes');
  });

  it('refuses a truncated gzip stream', () => {
    const g = gz(idxImages(50, 28, 28));
    expect(() => gunzipCapped(g.subarray(0, g.length - 100), 'cut.gz', 1e6)).toThrow(/cut\.gz/);
  });
});

// Counts and histograms below are those stated in ../shared/datasets/README.md.
describe('the shared datasets', () => {
  it('MNIST: 60,000 train and 10,000 test images with the published histograms', async () => {
    const d = getDataset('mnist');
    const read = dirReader(join(SHARED_DATASETS, 'mnist'));
    const train = await loadDataset(d, 'train', read);
    const test = await loadDataset(d, 'test', read);
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(labelHistogram(train.labels, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(labelHistogram(test.labels, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('Fashion-MNIST: 6,000 per class in train and 1,000 per class in test', async () => {
    const d = getDataset('fashion-mnist');
    const read = dirReader(join(SHARED_DATASETS, 'fashion-mnist'));
    expect(labelHistogram((await loadDataset(d, 'train', read)).labels, 10)).toEqual(new Array(10).fill(6000));
    expect(labelHistogram((await loadDataset(d, 'test', read)).labels, 10)).toEqual(new Array(10).fill(1000));
  });

  it('CIFAR-10: five training batches with the published histograms, 1,000 per class in test', async () => {
    const d = getDataset('cifar10');
    const read = dirReader(join(SHARED_DATASETS, 'cifar-10'));
    const train = await loadDataset(d, 'train', read);
    expect(train.count).toBe(50000);
    expect(train.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    const batch1 = labelHistogram(train.labels.subarray(0, 10000), 10);
    expect(batch1).toEqual([1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]);
    const batch5 = labelHistogram(train.labels.subarray(40000), 10);
    expect(batch5).toEqual([1014, 1014, 952, 1016, 997, 1025, 980, 977, 1003, 1022]);
    expect(labelHistogram(train.labels, 10)).toEqual(new Array(10).fill(5000));
    const test = await loadDataset(d, 'test', read);
    expect(test.count).toBe(10000);
    expect(labelHistogram(test.labels, 10)).toEqual(new Array(10).fill(1000));
    // Per-channel means over the training set: the published CIFAR-10 statistics.
    const sums = [0, 0, 0];
    for (let i = 0; i < train.pixels.length; i++) sums[i % 3] += train.pixels[i];
    const means = sums.map((s) => s / (50000 * 1024));
    expect(means[0]).toBeCloseTo(125.3069, 3);
    expect(means[1]).toBeCloseTo(122.9504, 3);
    expect(means[2]).toBeCloseTo(113.8654, 3);
  });
});
