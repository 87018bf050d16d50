/**
 * IDX files (MNIST, Fashion-MNIST): a big-endian header (magic 2051 for images with count, rows,
 * cols; 2049 for labels with count) followed by uint8 data. http://yann.lecun.com/exdb/mnist/
 */
import { StudioError } from '../errors';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
/** No IDX file in the studio's formats holds more than this many records. */
const MAX_RECORDS = 1_000_000;

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

export function parseIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  if (bytes.length < 16) throw new StudioError('truncated', `${fileName}: ${bytes.length} bytes is too short for an IDX image header (16 bytes).`, { fileName });
  const magic = u32(bytes, 0);
  if (magic !== IDX_IMAGES_MAGIC) {
    throw new StudioError('bad-magic', `${fileName}: not an IDX image file: magic number is ${magic}, expected ${IDX_IMAGES_MAGIC}.`, { fileName, expected: IDX_IMAGES_MAGIC, found: magic });
  }
  const count = u32(bytes, 4);
  const rows = u32(bytes, 8);
  const cols = u32(bytes, 12);
  if (count > MAX_RECORDS || rows === 0 || cols === 0 || rows > 1024 || cols > 1024) {
    throw new StudioError('bad-header', `${fileName}: implausible IDX header (count ${count}, ${rows}x${cols}).`, { fileName, count, rows, cols });
  }
  const expected = 16 + count * rows * cols;
  if (bytes.length !== expected) {
    throw new StudioError(bytes.length < expected ? 'truncated' : 'size-mismatch', `${fileName}: header says ${count} images of ${rows}x${cols} (${expected} bytes), but the file has ${bytes.length} bytes.`, {
      fileName,
      expected,
      found: bytes.length,
    });
  }
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

export function parseIdxLabels(bytes: Uint8Array, fileName: string, numClasses: number): Uint8Array {
  if (bytes.length < 8) throw new StudioError('truncated', `${fileName}: ${bytes.length} bytes is too short for an IDX label header (8 bytes).`, { fileName });
  const magic = u32(bytes, 0);
  if (magic !== IDX_LABELS_MAGIC) {
    throw new StudioError('bad-magic', `${fileName}: not an IDX label file: magic number is ${magic}, expected ${IDX_LABELS_MAGIC}.`, { fileName, expected: IDX_LABELS_MAGIC, found: magic });
  }
  const count = u32(bytes, 4);
  if (count > MAX_RECORDS) throw new StudioError('bad-header', `${fileName}: implausible label count ${count}.`, { fileName, count });
  const expected = 8 + count;
  if (bytes.length !== expected) {
    throw new StudioError(bytes.length < expected ? 'truncated' : 'size-mismatch', `${fileName}: header says ${count} labels (${expected} bytes), but the file has ${bytes.length} bytes.`, { fileName, expected, found: bytes.length });
  }
  const labels = bytes.subarray(8);
  checkLabels(labels, fileName, numClasses, 0, 1);
  return labels;
}

/** Throws naming the first record whose label is >= numClasses. */
export function checkLabels(buf: Uint8Array, fileName: string, numClasses: number, offset: number, stride: number): void {
  for (let i = offset, r = 0; i < buf.length; i += stride, r++) {
    if (buf[i] >= numClasses) {
      throw new StudioError('label-out-of-range', `${fileName}: record ${r} has label ${buf[i]}, but labels must be 0-${numClasses - 1}.`, { fileName, record: r, found: buf[i], expected: `0-${numClasses - 1}` });
    }
  }
}
