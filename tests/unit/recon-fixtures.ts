/** Small deterministic fixtures shared by the reconstruction tests: kernel values, a labelled image set, a small model and an independent linear solver. */
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

/**
 * Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting: the independent
 * solver the reconstruction tests check the Cholesky-based code against.
 */
export function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}
