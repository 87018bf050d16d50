/**
 * The first records of a split without inflating the whole file: a gzip stream is inflated only
 * until the bytes of those records are out (fflate's streaming Gunzip), so the 200 training
 * images of an upload's scaling proposal cost milliseconds instead of inflating MNIST's 47 MB
 * training file, which would block the worker (and the next upload's answer) for seconds.
 * The prefix is parsed by the same IDX / CIFAR parsers, with the IDX header's count set to the
 * records read. The trailer's CRC-32 covers the whole file and so is not checked here; the full
 * loader (load.ts) checks it.
 */
import { Gunzip } from 'fflate';
import { StudioError } from '../errors';
import type { ImageDataset, Split } from '../types';
import { parseCifar10, parseCifar100 } from './cifar';
import { isGzip } from './gzip';
import { parseIdxImages, parseIdxLabels } from './idx';
import type { ReadFile } from './load';
import type { DatasetDescriptor } from './registry';

/** The first `n` bytes of a (possibly gzip) file's content. */
export function inflatePrefix(bytes: Uint8Array, fileName: string, n: number): Uint8Array {
  if (!isGzip(bytes)) return bytes.subarray(0, n);
  const out = new Uint8Array(n);
  let at = 0;
  const g = new Gunzip((chunk) => {
    const take = Math.min(chunk.length, n - at);
    out.set(chunk.subarray(0, take), at);
    at += take;
  });
  try {
    for (let i = 0; i < bytes.length && at < n; i += 16 * 1024) g.push(bytes.subarray(i, i + 16 * 1024), i + 16 * 1024 >= bytes.length);
  } catch (e) {
    throw new StudioError('truncated', `${fileName}: the gzip stream is corrupt (${(e as Error).message}).`, { fileName });
  }
  if (at < n) throw new StudioError('truncated', `${fileName}: ${at} bytes, fewer than the ${n} needed.`, { fileName, expected: n, found: at });
  return out;
}

function setU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

/** The first `count` records of a split, for the first file of the split. */
export async function loadHead(d: DatasetDescriptor, split: Split, readFile: ReadFile, count: number): Promise<ImageDataset> {
  const files = d.files.filter((f) => f.split === split);
  const [h, w, c] = d.shape;
  const per = h * w * c;
  let pixels: Uint8Array;
  let labels: Uint8Array;
  const img = files.find((f) => f.format === 'idx-images');
  if (img) {
    const lbl = files.find((f) => f.format === 'idx-labels')!;
    const ib = inflatePrefix(await readFile(img.name), img.name, 16 + count * per);
    const lb = inflatePrefix(await readFile(lbl.name), lbl.name, 8 + count);
    setU32(ib, 4, count);
    setU32(lb, 4, count);
    const parsed = parseIdxImages(ib, img.name);
    if (parsed.rows !== h || parsed.cols !== w) throw new StudioError('shape-mismatch', `${img.name}: images are ${parsed.rows}x${parsed.cols}, ${d.label} expects ${h}x${w}.`, { fileName: img.name });
    pixels = parsed.pixels;
    labels = parseIdxLabels(lb, lbl.name, d.numClasses);
  } else {
    const f = files[0];
    const is100 = f.format === 'cifar100-bin';
    const raw = inflatePrefix(await readFile(f.name), f.name, count * (per + (is100 ? 2 : 1)));
    const r = is100 ? parseCifar100(raw, f.name, 'fine') : parseCifar10(raw, f.name);
    pixels = r.pixels;
    labels = r.labels;
  }
  const classNames = d.classNames?.length === d.numClasses ? d.classNames : Array.from({ length: d.numClasses }, (_, i) => String(i));
  return { id: d.id, split, count, shape: d.shape, numClasses: d.numClasses, classNames, pixels, labels };
}
