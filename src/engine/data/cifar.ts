/**
 * CIFAR binary versions (https://www.cs.toronto.edu/~kriz/cifar.html).
 * CIFAR-10 record: 1 label byte (0-9) + 3072 pixel bytes. CIFAR-100 record: 1 coarse label byte
 * (0-19) + 1 fine label byte (0-99) + 3072 pixel bytes. Pixels are three 32x32 planes (R, G, B),
 * each row-major; we convert to NHWC, the layout tfjs models take.
 */
import { StudioError } from '../errors';
import { checkLabels } from './idx';

const PIXELS = 3072;

export interface CifarRecords {
  count: number;
  /** NHWC uint8, count x 32 x 32 x 3. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

export type Cifar100LabelKind = 'fine' | 'coarse';

function parse(bytes: Uint8Array, fileName: string, labelBytes: number, labelIndex: number, numClasses: number, checks: Array<[number, number]>): CifarRecords {
  const recordSize = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % recordSize !== 0) {
    const whole = Math.floor(bytes.length / recordSize);
    throw new StudioError('truncated', `${fileName}: ${bytes.length} bytes is not a whole number of ${recordSize}-byte records (${whole} whole records and ${bytes.length - whole * recordSize} bytes left over).`, {
      fileName,
      expected: `a multiple of ${recordSize}`,
      found: bytes.length,
    });
  }
  for (const [offset, classes] of checks) {
    checkLabels(bytes, fileName, classes, offset, recordSize);
  }
  const count = bytes.length / recordSize;
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const src = r * recordSize;
    labels[r] = bytes[src + labelIndex];
    const base = src + labelBytes;
    const dst = r * PIXELS;
    for (let p = 0; p < 1024; p++) {
      pixels[dst + p * 3] = bytes[base + p];
      pixels[dst + p * 3 + 1] = bytes[base + 1024 + p];
      pixels[dst + p * 3 + 2] = bytes[base + 2048 + p];
    }
  }
  void numClasses;
  return { count, pixels, labels };
}

export function parseCifar10(bytes: Uint8Array, fileName: string): CifarRecords {
  return parse(bytes, fileName, 1, 0, 10, [[0, 10]]);
}

export function parseCifar100(bytes: Uint8Array, fileName: string, kind: Cifar100LabelKind = 'fine'): CifarRecords {
  return parse(bytes, fileName, 2, kind === 'fine' ? 1 : 0, kind === 'fine' ? 100 : 20, [
    [0, 20],
    [1, 100],
  ]);
}
