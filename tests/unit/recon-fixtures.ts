/** Small deterministic fixtures shared by the reconstruction tests: kernel values and a labelled image set. */
import type { Graph } from '../../src/engine/graph/ir';
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

/** in [6,6,2] -> 3x3 conv (8, ReLU) -> global average pool -> dense (3): the small model the sensitivity and shared-pruning tests share, new each call. */
export function convGapDense(name: string): Graph {
  return {
    name,
    output: 'd',
    nodes: [
      { name: 'in', op: 'input', inputs: [], shape: [6, 6, 2] },
      { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 8], values: kernelValues(144, 1.7) }, strides: [1, 1], padding: 'same', activation: 'relu' },
      { name: 'gap', op: 'gap', inputs: ['c1'] },
      { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [8, 3], values: kernelValues(24, 2.3) }, activation: 'linear' },
    ],
  };
}
