/**
 * Turns the prepared dataset files into an ImageDataset. Where the bytes come from (fetch in a
 * Worker, the file system in Node) is the caller's business: it passes `readFile`.
 */
import { StudioError } from '../errors';
import type { ImageDataset, Split } from '../types';
import { parseCifar10, parseCifar100, type Cifar100LabelKind } from './cifar';
import { gunzipCapped } from './gzip';
import { loadHead } from './head';
import { parseIdxImages, parseIdxLabels } from './idx';
import type { DatasetDescriptor } from './registry';

export type ReadFile = (name: string) => Promise<Uint8Array>;

export interface LoadOptions {
  /** First record and number of records to keep (default: all). */
  first?: number;
  count?: number;
  /** CIFAR-100 only: fine (100 classes, default) or coarse (20 superclasses) labels. */
  labels?: Cifar100LabelKind;
}

/** The largest decompressed size any file of the format may have (the gzip cap). */
function maxBytesFor(d: DatasetDescriptor, records: number | undefined, perRecord: number, header: number): number {
  return header + (records ?? Math.max(d.trainCount, d.testCount)) * perRecord;
}

async function readText(readFile: ReadFile, name: string): Promise<string[]> {
  const bytes = await readFile(name);
  return new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The records of a split. The first records of the training split (a calibration or fine-tuning
 * subset, a preview's records) are read with head.ts, which inflates only their bytes: a FAST
 * compress or a preview on MNIST then skips inflating the 47 MB training file (about 0.5 s each).
 * Everything else (every test record a figure is computed on) goes through the whole-file loader,
 * which also checks the gzip trailer's CRC-32 (a prefix cannot).
 */
export async function loadDataset(d: DatasetDescriptor, split: Split, readFile: ReadFile, opts: LoadOptions = {}): Promise<ImageDataset> {
  const first = d.files.find((f) => f.split === split);
  const prefix = split === 'train' && opts.count !== undefined && opts.count > 0 && !opts.first && (opts.labels ?? 'fine') === 'fine' && first?.records !== undefined && opts.count <= first.records;
  return prefix ? loadHead(d, split, readFile, opts.count!) : loadWhole(d, split, readFile, opts);
}

/** loadDataset by inflating (and CRC-checking) every file of the split. */
export async function loadWhole(d: DatasetDescriptor, split: Split, readFile: ReadFile, opts: LoadOptions = {}): Promise<ImageDataset> {
  const files = d.files.filter((f) => f.split === split);
  if (files.length === 0) throw new StudioError('dataset-missing', `${d.label} has no ${split} files.`, { dataset: d.id, split });
  const [h, w, c] = d.shape;
  const imageBytes = h * w * c;
  let pixels: Uint8Array;
  let labels: Uint8Array;
  let numClasses = d.numClasses;
  let classNames = d.classNames ?? [];

  if (files[0].format === 'idx-images' || files[0].format === 'idx-labels') {
    const imgFile = files.find((f) => f.format === 'idx-images')!;
    const lblFile = files.find((f) => f.format === 'idx-labels')!;
    const images = parseIdxImages(gunzipCapped(await readFile(imgFile.name), imgFile.name, maxBytesFor(d, imgFile.records, imageBytes, 16)), imgFile.name);
    if (images.rows !== h || images.cols !== w) {
      throw new StudioError('shape-mismatch', `${imgFile.name}: images are ${images.rows}x${images.cols}, ${d.label} expects ${h}x${w}.`, { fileName: imgFile.name, expected: [h, w], found: [images.rows, images.cols] });
    }
    labels = parseIdxLabels(gunzipCapped(await readFile(lblFile.name), lblFile.name, maxBytesFor(d, lblFile.records, 1, 8)), lblFile.name, d.numClasses);
    if (labels.length !== images.count) {
      throw new StudioError('size-mismatch', `${lblFile.name} has ${labels.length} labels but ${imgFile.name} has ${images.count} images.`, { fileName: lblFile.name, expected: images.count, found: labels.length });
    }
    pixels = images.pixels;
  } else {
    const parts = [];
    for (const f of files) {
      const is100 = f.format === 'cifar100-bin';
      const raw = gunzipCapped(await readFile(f.name), f.name, maxBytesFor(d, f.records, imageBytes + (is100 ? 2 : 1), 0));
      parts.push(is100 ? parseCifar100(raw, f.name, opts.labels ?? 'fine') : parseCifar10(raw, f.name));
    }
    const total = parts.reduce((a, p) => a + p.count, 0);
    pixels = new Uint8Array(total * imageBytes);
    labels = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      pixels.set(p.pixels, at * imageBytes);
      labels.set(p.labels, at);
      at += p.count;
    }
    if (d.id === 'cifar100') {
      const coarse = opts.labels === 'coarse';
      numClasses = coarse ? 20 : 100;
      const namesFile = coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt';
      classNames = await readText(readFile, namesFile).catch(() => []);
    } else if (d.files.some((f) => f.format === 'text-lines')) {
      const meta = d.files.find((f) => f.format === 'text-lines')!;
      classNames = await readText(readFile, meta.name).catch(() => classNames);
    }
  }

  const total = labels.length;
  const first = opts.first ?? 0;
  const count = Math.min(opts.count ?? total - first, total - first);
  if (first < 0 || count <= 0) {
    throw new StudioError('size-mismatch', `${d.label} ${split}: records ${first}..${first + (opts.count ?? 0)} are outside the ${total} available.`, { dataset: d.id, found: total });
  }
  if (classNames.length !== numClasses) classNames = Array.from({ length: numClasses }, (_, i) => String(i));
  return {
    id: d.id,
    split,
    count,
    shape: d.shape,
    numClasses,
    pixels: pixels.subarray(first * imageBytes, (first + count) * imageBytes),
    labels: labels.subarray(first, first + count),
    classNames,
  };
}

/** Counts of each label, for checks against the datasets' published histograms. */
export function labelHistogram(labels: Uint8Array, numClasses: number): number[] {
  const h = new Array<number>(numClasses).fill(0);
  for (const l of labels) h[l]++;
  return h;
}
