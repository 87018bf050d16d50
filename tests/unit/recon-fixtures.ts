/** Small deterministic fixtures shared by the reconstruction tests: kernel values and a labelled image set. */
import type { ImageDataset } from '../../src/engine/types';

/** `n` deterministic weights of varied magnitude (`k` sets the pattern). */
export const kernelValues = (n: number, k: number) => new Float32Array(n).map((_, i) => Math.sin(i * k + 0.3) * (1 + (i % 7)) * 0.1);

/** `count` training images of `shape` with deterministic pixels, labels cycling over 4 classes. */
export function syntheticImages(count: number, shape: [number, number, number]): ImageDataset {
  const size = shape[0] * shape[1] * shape[2];
  return {
    id: 'mnist',
    split: 'train',
    count,
    shape,
    numClasses: 4,
    pixels: new Uint8Array(count * size).map((_, i) => (i * 37 + ((i * i) % 11)) % 256),
    labels: new Uint8Array(count).map((_, i) => i % 4),
    classNames: ['a', 'b', 'c', 'd'],
  };
}
