/**
 * Fitting a layer to the dense model's outputs (recon/blocks.ts fitToDense, InputStats.cross):
 * hand-computed one-input cases, and the ridge solution checked against an independent Float64
 * Gaussian elimination on random layers.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { correctBias, fitToDense } from '../../src/engine/recon/blocks';
import { InputStats, layerShape, toRows } from '../../src/engine/recon/layer-problem';
import { MAX_BLOCK_COLS } from '../../src/engine/recon/linalg';
import type { WeightedNode } from '../../src/engine/graph/ir';
import { gaussSolve } from './recon-fixtures';

/** Seeded uniform(-1, 1) (mulberry32), so a failing case can be rerun. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

describe('fitToDense', () => {
  it('one input seen doubled: ŵ = w (C + λ) / (H + λ) = 3 · 2.04 / 4.04', () => {
    // x_dense = 1, x = 2 on the one sample: H = 4, C = 2, λ = 0.01 · 4.
    const w = Float64Array.of(3);
    fitToDense(w, 1, 1, Float64Array.of(4), Float64Array.of(2), 1, 0.01);
    expect(w[0]).toBeCloseTo((3 * 2.04) / 4.04, 12);
  });

  it('leaves the weights alone when the inputs did not change (C = H)', () => {
    const rnd = random(7);
    const cols = 5;
    const xs = Array.from({ length: 20 }, () => Array.from({ length: cols }, rnd));
    const h = new Float64Array(cols * cols);
    for (const x of xs) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) h[i * cols + j] += x[i] * x[j];
    const w = Float64Array.from({ length: 3 * cols }, rnd);
    const w0 = Float64Array.from(w);
    fitToDense(w, 3, cols, h, Float64Array.from(h), cols, 0.01);
    for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(w0[i], 10);
  });

  it('matches the ridge solution (H + λI) ŵᵀ = (C + λI) wᵀ from an independent solver, and lowers the error to the dense outputs', () => {
    const rnd = random(11);
    const cols = 6;
    // Six rows: four fitted together and two alone (blocks.ts fitRows), both against the solver.
    const rows = 6;
    const samples = 40;
    const damp = 0.01;
    const xd = Array.from({ length: samples }, () => Array.from({ length: cols }, rnd));
    // The compressed model's inputs: the dense ones, distorted (as pruning earlier layers does).
    const xc = xd.map((x) => x.map((v, i) => 0.8 * v + 0.3 * x[(i + 1) % cols] + 0.05 * rnd()));
    const h = new Float64Array(cols * cols);
    const c = new Float64Array(cols * cols);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < cols; i++) {
        for (let j = 0; j < cols; j++) {
          h[i * cols + j] += xc[s][i] * xc[s][j];
          c[i * cols + j] += xd[s][i] * xc[s][j];
        }
      }
    }
    let meanDiag = 0;
    for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i] / cols;
    const lambda = damp * meanDiag;
    const w = Float64Array.from({ length: rows * cols }, rnd);
    const w0 = Float64Array.from(w);
    fitToDense(w, rows, cols, h, c, cols, damp);
    const a = Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => h[i * cols + j] + (i === j ? lambda : 0)));
    const err = (wt: Float64Array) => {
      let e = 0;
      for (let s = 0; s < samples; s++) {
        for (let r = 0; r < rows; r++) {
          let d = 0;
          for (let i = 0; i < cols; i++) d += w0[r * cols + i] * xd[s][i] - wt[r * cols + i] * xc[s][i];
          e += d * d;
        }
      }
      return e;
    };
    for (let r = 0; r < rows; r++) {
      // Right-hand side: (C + λI)ᵀ w_rᵀ, i.e. Σ_i w_i (C + λI)[i][j] for each j.
      const b = Array.from({ length: cols }, (_, j) => {
        let s = 0;
        for (let i = 0; i < cols; i++) s += w0[r * cols + i] * (c[i * cols + j] + (i === j ? lambda : 0));
        return s;
      });
      const x = gaussSolve(a, b);
      for (let j = 0; j < cols; j++) expect(w[r * cols + j]).toBeCloseTo(x[j], 9);
    }
    expect(err(w)).toBeLessThan(0.2 * err(w0));
  });
});

describe('fitToDense from few input vectors (Woodbury)', () => {
  // Four and eight vectors for 16 inputs: few enough for the fit through the vectors (LOW_RANK_RATIO).
  for (const m of [4, 8])
    it(`gives the ridge solution of the independent solver from ${m} vectors, a dead input included, with rows in fours and alone`, () => {
      const rnd = random(23);
      const cols = 16;
      const rows = 7;
      const damp = 0.05;
      const dead = 3;
      // Row k of x is the k-th input vector; input 3 is zero in the compressed model, not in the dense one.
      const x0 = Float64Array.from({ length: m * cols }, rnd);
      const x = x0.map((v, i) => (i % cols === dead ? 0 : 0.7 * v + 0.2 * rnd()));
      const h = new Float64Array(cols * cols);
      const c = new Float64Array(cols * cols);
      for (let k = 0; k < m; k++) {
        for (let i = 0; i < cols; i++) {
          for (let j = 0; j < cols; j++) {
            h[i * cols + j] += x[k * cols + i] * x[k * cols + j];
            c[i * cols + j] += x0[k * cols + i] * x[k * cols + j];
          }
        }
      }
      let meanDiag = 0;
      for (let i = 0; i < cols; i++) meanDiag += h[i * cols + i] / cols;
      const lambda = damp * meanDiag;
      const w0 = Float64Array.from({ length: rows * cols }, rnd);
      const viaVectors = Float64Array.from(w0);
      fitToDense(viaVectors, rows, cols, h, c, cols, damp, { x, x0, m });
      const viaFactor = Float64Array.from(w0);
      fitToDense(viaFactor, rows, cols, h, c, cols, damp);
      // The factorization gives a dead input a unit diagonal before damping (linalg.ts).
      const a = Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => h[i * cols + j] + (i === j ? lambda + (i === dead ? 1 : 0) : 0)));
      for (let r = 0; r < rows; r++) {
        const b = Array.from({ length: cols }, (_, j) => {
          let s = 0;
          for (let i = 0; i < cols; i++) s += w0[r * cols + i] * (c[i * cols + j] + (i === j ? lambda : 0));
          return s;
        });
        const expected = gaussSolve(a, b);
        for (let j = 0; j < cols; j++) {
          expect(viaVectors[r * cols + j]).toBeCloseTo(expected[j], 9);
          expect(viaFactor[r * cols + j]).toBeCloseTo(expected[j], 9);
        }
      }
    });

  it('InputStats keeps the vectors of both models while there are at most half as many as columns, and drops them after', async () => {
    const n = { name: 'd', op: 'dense', inputs: ['x'], kernel: { shape: [16, 1], values: new Float32Array(16) } } as unknown as WeightedNode;
    const stats = new InputStats({ groups: 1, rows: 1, cols: 16, channels: 16 });
    const batch = (k: number) =>
      tf.tensor2d(
        Float32Array.from({ length: 32 }, (_, i) => i + k),
        [2, 16],
      );
    const add = async (k: number) => {
      const [xc, xd] = [batch(k), batch(100 + k)];
      await stats.add(n, xc, xd);
      tf.dispose([xc, xd]);
    };
    await add(0);
    await add(50);
    const v = stats.vectors(0)!;
    expect(v.m).toBe(4);
    expect(Array.from(v.x)).toEqual([...Array.from({ length: 32 }, (_, i) => i), ...Array.from({ length: 32 }, (_, i) => i + 50)]);
    expect(Array.from(v.x0.subarray(0, 3))).toEqual([100, 101, 102]);
    await add(9);
    await add(20);
    expect(stats.vectors(0)!.m).toBe(8);
    await add(30);
    expect(stats.vectors(0)).toBeUndefined();
    // Without the dense model's inputs there is nothing to fit, and nothing is kept.
    const plain = new InputStats({ groups: 1, rows: 1, cols: 16, channels: 16 });
    const xc = batch(0);
    await plain.add(n, xc);
    xc.dispose();
    expect(plain.vectors(0)).toBeUndefined();
    // Wider than one block of H: the fit goes block by block and never through the vectors, so none are kept.
    const cols = MAX_BLOCK_COLS + 1;
    const wide = new InputStats({ groups: 1, rows: 1, cols, channels: cols });
    const wn = { ...n, kernel: { shape: [cols, 1], values: new Float32Array(cols) } } as unknown as WeightedNode;
    const [wx, wd] = [tf.ones([2, cols]), tf.ones([2, cols])];
    await wide.add(wn, wx, wd);
    tf.dispose([wx, wd]);
    expect(wide.vectors(0)).toBeUndefined();
  });
});

describe('InputStats with dense inputs', () => {
  it('collects C = Σ x_dense xᵀ and E[x_dense] beside H for a dense layer', async () => {
    const n = { name: 'd', op: 'dense', inputs: ['x'], kernel: { shape: [2, 1], values: new Float32Array(2) } } as unknown as WeightedNode;
    const stats = new InputStats({ groups: 1, rows: 1, cols: 2, channels: 2 });
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const xd = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    await stats.add(n, x, xd);
    tf.dispose([x, xd]);
    // H = [1 2; 3 4]ᵀ[1 2; 3 4] = [10 14; 14 20]; C = Σ xd xᵀ = [1 2; 3 4] (rows of xd pick rows of x).
    expect(Array.from(stats.h[0])).toEqual([10, 14, 14, 20]);
    expect(Array.from(stats.cross![0])).toEqual([1, 2, 3, 4]);
    expect(Array.from(stats.denseMean(0))).toEqual([0.5, 0.5]);
    expect(Array.from(stats.mean(0))).toEqual([2, 3]);
  });

  it('bias correction keeps the mean of the dense outputs: W₀·E[x₀] − W·E[x]', () => {
    const n = { name: 'd', op: 'dense', inputs: ['x'], kernel: { shape: [2, 1], values: new Float32Array(2) }, bias: { shape: [1], values: Float32Array.of(0.5) } } as unknown as WeightedNode;
    // W₀ = [1, 2], E[x₀] = [1, 1] -> 3; W = [1, 0], E[x] = [2, 0] -> 2; bias 0.5 + 1.
    correctBias(n, 0, Float64Array.of(1, 2), Float64Array.of(1, 0), Float64Array.of(2, 0), 1, 2, Float64Array.of(1, 1));
    expect(n.bias!.values[0]).toBeCloseTo(1.5, 6);
  });
});

describe('InputStats collecting W·C instead of C (`weighted`)', () => {
  /** A conv layer (3x3, 4 inputs, 3 outputs: 2·rows < cols) or a dense one (12 -> 2) with seeded weights. */
  const layers: Array<[string, WeightedNode, number[]]> = [
    ['conv 3x3 same stride 2', { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [3, 3, 4, 3], values: Float32Array.from({ length: 108 }, random(3)) }, strides: [2, 2], padding: 'same', activation: 'linear' }, [2, 7, 6, 4]],
    ['dense', { name: 'd', op: 'dense', inputs: ['x'], kernel: { shape: [12, 2], values: Float32Array.from({ length: 24 }, random(5)) }, activation: 'linear' }, [9, 12]],
  ];

  it.each(layers)('%s: W·C and E[W x_dense] equal W times C and E[x_dense], and the fit and bias correction agree', async (_name, n, xShape) => {
    const size = xShape.reduce((a, b) => a * b);
    const rnd = random(17);
    const x = tf.tensor(Float32Array.from({ length: size }, rnd), xShape);
    const x0 = tf.tensor(Float32Array.from({ length: size }, rnd), xShape);
    const shape = layerShape(n);
    expect(2 * shape.rows).toBeLessThan(shape.cols);
    const plain = new InputStats(shape);
    const weighted = new InputStats(shape, true);
    await plain.add(n, x, x0);
    await weighted.add(n, x, x0);
    tf.dispose([x, x0]);
    expect(weighted.cross).toBeUndefined();
    const { rows, cols } = shape;
    const w = toRows(n)[0];
    const c = plain.cross![0];
    const wc = weighted.weightedCross!;
    const scale = Math.max(...c.map(Math.abs));
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        let v = 0;
        for (let i = 0; i < cols; i++) v += w[r * cols + i] * c[i * cols + j];
        expect(wc[r * cols + j]).toBeCloseTo(v, 4 - Math.ceil(Math.log10(scale)));
      }
    }
    const dm = plain.denseMean(0);
    const out0 = weighted.denseOutMean()!;
    for (let r = 0; r < rows; r++)
      expect(out0[r]).toBeCloseTo(
        w.slice(r * cols, (r + 1) * cols).reduce((a, v, i) => a + v * dm[i], 0),
        5,
      );
    // The same fit and the same bias from either.
    const a = Float64Array.from(w);
    const b = Float64Array.from(w);
    fitToDense(a, rows, cols, plain.h[0], plain.crossOf(0)!, shape.channels, 0.01);
    fitToDense(b, rows, cols, weighted.h[0], weighted.crossOf(0)!, shape.channels, 0.01);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 4));
    const nA = { ...n, bias: { shape: [rows], values: new Float32Array(rows) } } as WeightedNode;
    const nB = { ...n, bias: { shape: [rows], values: new Float32Array(rows) } } as WeightedNode;
    correctBias(nA, 0, w, a, plain.mean(0), rows, cols, plain.denseMean(0));
    correctBias(nB, 0, w, b, weighted.mean(0), rows, cols, weighted.denseMean(0), weighted.denseOutMean());
    nA.bias!.values.forEach((v, i) => expect(nB.bias!.values[i]).toBeCloseTo(v, 4));
  });

  it('collects C as before where W·C would cost more (2·rows ≥ cols) and for depthwise layers', async () => {
    const n = { name: 'c', op: 'conv2d', inputs: ['x'], kernel: { shape: [1, 1, 4, 4], values: Float32Array.from({ length: 16 }, random(9)) }, strides: [1, 1], padding: 'same', activation: 'linear' } as WeightedNode;
    const stats = new InputStats(layerShape(n), true);
    const x = tf.ones([1, 3, 3, 4]);
    await stats.add(n, x, x);
    x.dispose();
    expect(stats.weightedCross).toBeUndefined();
    expect(stats.crossOf(0)).toBe(stats.cross![0]);
  });
});
