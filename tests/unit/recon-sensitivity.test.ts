/**
 * Per-layer sensitivity (recon/sensitivity.ts): every weighted layer is reported, output errors
 * rise with the sparsity, a layer pruned alone leaves the graph as it was afterwards, and the
 * held-back images are disjoint from the calibration images.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cloneGraph, type Graph } from '../../src/engine/graph/ir';
import { calibrationIndices } from '../../src/engine/quantize/calibrate-graph';
import { layerSensitivity, pruneSensitivity, quadraticSum } from '../../src/engine/recon/sensitivity';
import { cachedPruneSensitivity, cachedSensitivity } from '../../src/engine/recon/sensitivity-cache';
import { epochPermutation } from '../../src/engine/train/data-order';
import type { ImageDataset } from '../../src/engine/types';
import { convGapDense } from './recon-fixtures';

const graph = convGapDense('sens');
const count = 80;
const images: ImageDataset = {
  id: 'mnist',
  split: 'train',
  count,
  shape: [6, 6, 2],
  numClasses: 3,
  pixels: new Uint8Array(count * 72).map((_, i) => (i * 53 + (i >> 5) * 7) % 256),
  labels: new Uint8Array(count).map((_, i) => i % 3),
  classNames: ['a', 'b', 'c'],
};

describe('layer sensitivity', () => {
  it('reports each layer, errors rising with sparsity, and leaves the graph unchanged', async () => {
    const before = cloneGraph(graph);
    const tensors = tf.memory().numTensors;
    const r = await layerSensitivity(graph, { images, preprocessing: { kind: 'scale', scale: 1 / 255 }, samples: 32 }, { sparsities: [0.25, 0.5, 0.9], heldOut: 40, granularity: 'per-channel' });
    expect(graph).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.layers.map((l) => l.layer)).toEqual(['c1', 'd']);
    expect(r.heldOutImages).toBe(40);
    expect(r.calibrationImages).toBe(32);
    // The pruning trials alone (what allocation reads) are the same trials, without int8's and the output errors.
    const pruneOnly = await pruneSensitivity(graph, { images, preprocessing: { kind: 'scale', scale: 1 / 255 }, samples: 32 }, { sparsities: [0.25, 0.5, 0.9], heldOut: 40, granularity: 'per-channel' });
    expect(pruneOnly).toEqual({ ...r, layers: r.layers.map(({ int8: _, prune, ...rest }) => ({ ...rest, prune: prune.map(({ outputError: _e, ...p }) => p) })) });
    for (const l of r.layers) {
      const e = l.prune.map((p) => p.outputError);
      expect(e[0]).toBeGreaterThan(0);
      expect(e[0]).toBeLessThan(e[1]);
      expect(e[1]).toBeLessThan(e[2]);
      expect(l.int8.outputError).toBeLessThan(e[0]);
      for (const p of [...l.prune, l.int8]) expect(p.accuracy).toBeGreaterThanOrEqual(0);
    }
  });

  it('the divergence is KL(p‖q) as written out by hand, and zero for identical predictions', async () => {
    const { agreement } = await import('../../src/engine/recon/sensitivity');
    // Two rows, two classes: p = (0.5, 0.5), q = (0.25, 0.75); KL = 0.5 ln 2 + 0.5 ln(2/3).
    const ref = Float64Array.from([Math.log(0.5), Math.log(0.5), Math.log(0.9), Math.log(0.1)]);
    const other = Float64Array.from([Math.log(0.25), Math.log(0.75), Math.log(0.9), Math.log(0.1)]);
    const a = agreement(ref, other, Uint8Array.from([1, 0]), 2);
    expect(a.divergence).toBeCloseTo((0.5 * Math.log(2) + 0.5 * Math.log(2 / 3)) / 2, 12);
    expect(a.accuracy).toBe(1);
    expect(agreement(ref, ref, Uint8Array.from([1, 0]), 2).divergence).toBe(0);
  });

  it('in context: with the dense model as its own context it gives the same figures, and a pruned context costs more', async () => {
    const cal = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 32 };
    const o = { sparsities: [0, 0.5, 0.9], heldOut: 40, granularity: 'per-channel' as const };
    const plain = await layerSensitivity(graph, cal, o);
    const self = await layerSensitivity(cloneGraph(graph), cal, { ...o, dense: graph });
    expect(self).toEqual(plain);
    // Context: c1 at 90% zeros; its own trial at sparsity 0 puts its dense weights back (no cost),
    // while d's every trial carries c1's damage.
    const context = cloneGraph(graph);
    const c1 = context.nodes[1] as Extract<Graph['nodes'][number], { op: 'conv2d' }>;
    c1.kernel.values = c1.kernel.values.map((v, i) => (i % 10 ? 0 : v));
    const before = cloneGraph(context);
    const inContext = await layerSensitivity(context, cal, { ...o, dense: graph });
    expect(context).toEqual(before);
    expect(inContext.layers[0].prune[0].divergence).toBeCloseTo(0, 12);
    expect(inContext.layers[1].prune[0].divergence).toBeGreaterThan(plain.layers[1].prune[2].divergence);
  });

  it("the output energy Σ w H wᵀ equals the textbook double sum, for row counts that are not a multiple of the kernel's four", () => {
    for (const [rows, cols] of [
      [1, 3],
      [4, 5],
      [7, 6],
      [9, 13],
    ]) {
      const w = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.3) - 0.2);
      const h = new Float64Array(cols * cols);
      for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) h[i * cols + j] = Math.cos(i - j) + (i === j ? cols : 0) + 0.01 * (i + j);
      let expected = 0;
      for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) expected += w[r * cols + i] * h[i * cols + j] * w[r * cols + j];
      expect(quadraticSum(w, rows, cols, h)).toBeCloseTo(expected, 9);
    }
  });

  it('allocation reads a kept complete analysis, else computes and keeps the pruning trials alone', async () => {
    const cal = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 32 };
    const o = { sparsities: [0.3, 0.6], heldOut: 24, granularity: 'per-channel' as const };
    // A model of its own (the cache keys on the weights), so no other test's analysis is found.
    const own = cloneGraph(graph);
    (own.nodes[3] as Extract<Graph['nodes'][number], { op: 'dense' }>).kernel.values[0] += 0.5;
    const first = await cachedPruneSensitivity(own, cal, o);
    expect(first.reused).toBe(false);
    expect('int8' in first.report.layers[0]).toBe(false);
    const again = await cachedPruneSensitivity(own, cal, o);
    expect(again).toEqual({ report: first.report, reused: true });
    // The view's complete analysis is then computed (not taken from the trimmed one) and preferred.
    const complete = await cachedSensitivity(own, cal, o);
    expect(complete.reused).toBe(false);
    expect(complete.report.layers[0].int8).toBeDefined();
    const preferred = await cachedPruneSensitivity(own, cal, o);
    expect(preferred).toEqual({ report: complete.report, reused: true });
  });

  it('the held-back images follow the calibration images in the same permutation, so they never overlap', () => {
    const cal = new Set(calibrationIndices(count, 32, 1));
    const held = epochPermutation(count, 1, 1_000_003).subarray(32, 72);
    for (const i of held) expect(cal.has(i)).toBe(false);
  });
});
