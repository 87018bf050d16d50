/** Builders for small dataset files in the official formats, for loader and download tests. */
import { gzipSync } from 'fflate';

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

export function idxImages(count: number, rows: number, cols: number, magic = 2051): Uint8Array {
  const px = Array.from({ length: count * rows * cols }, (_, i) => (i * 7) % 256);
  return new Uint8Array([...be32(magic), ...be32(count), ...be32(rows), ...be32(cols), ...px]);
}

export function idxLabels(labels: number[], magic = 2049): Uint8Array {
  return new Uint8Array([...be32(magic), ...be32(labels.length), ...labels]);
}

/** CIFAR records; each image's R plane is filled with 10+i, G with 100+i, B with 200+i at pixel 0 and 0 elsewhere. */
export function cifarRecords(labels: number[][]): Uint8Array {
  const rec = labels[0].length + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((ls, i) => {
    out.set(ls, i * rec);
    const base = i * rec + ls.length;
    out[base] = 10 + i;
    out[base + 1024] = 100 + i;
    out[base + 2048] = 200 + i;
    out[base + 1023] = 1; // last R pixel, row 31 col 31
  });
  return out;
}

export const gz = (b: Uint8Array) => gzipSync(b, { mtime: 0 });
