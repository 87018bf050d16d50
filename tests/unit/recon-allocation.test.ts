/**
 * Reconstruction pruning with sensitivity allocation (prune/methods/reconstruction.ts): the
 * sparsity is the fraction of all pruned layers' weights, spread unevenly, pinned layers stay
 * pinned, and a second run with the same model and settings reuses the analysis.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import { type Graph, isWeighted, type WeightedNode } from '../../src/engine/graph/ir';
import { PRUNERS } from '../../src/engine/prune/methods/registry';
import { compileGraph } from '../../src/engine/graph/execute';
import { toInputTensor } from '../../src/engine/preprocess';
import { kernelValues as values, syntheticImages } from './recon-fixtures';

const graph: Graph = {
  name: 'allocation',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [8, 8, 2] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 8], values: values(144, 1.7) }, bias: { shape: [8], values: values(8, 0.5) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 8, 16], values: values(1152, 0.9) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['c2'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [16, 4], values: values(64, 2.3) }, activation: 'linear' },
  ],
};

const count = 96;
const images = syntheticImages(count, [8, 8, 2]);
const calibration = { images, preprocessing: { kind: 'scale' as const, scale: 1 / 255 }, samples: 32 };

const zerosOf = (n: WeightedNode) => n.kernel.values.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);
const weighted = (g: Graph) => g.nodes.filter(isWeighted) as WeightedNode[];

describe('obs with sensitivity allocation', () => {
  it('removes the given fraction of all weights, spread unevenly, as its detail reports', async () => {
    const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, allocation: 'sensitivity', sparsity: 0.6, params: { images: 32 } } }).prune;
    expect(p.allocation).toBe('sensitivity');
    const out = await PRUNERS.obs.prune(graph, p, { calibration });
    const layers = weighted(out.graph);
    const total = layers.reduce((a, n) => a + n.kernel.values.length, 0);
    const zeros = layers.reduce((a, n) => a + zerosOf(n), 0);
    // Each layer rounds its count of removed weights down (at most one per layer short).
    expect(zeros / total).toBeGreaterThan(0.6 - layers.length / total);
    expect(zeros / total).toBeLessThanOrEqual(0.6 + 1e-9);
    const planned = out.detail.layerSparsities as Record<string, number>;
    expect(Object.keys(planned).sort()).toEqual(['c1', 'c2', 'd']);
    for (const n of layers) expect(zerosOf(n) / n.kernel.values.length).toBeCloseTo(planned[n.name], 1);
    expect(new Set(Object.values(planned).map((s) => s.toFixed(3))).size).toBeGreaterThan(1);
    expect(out.detail.allocation).toBe('sensitivity');
    expect(out.detail.sensitivityReused).toBe(false);
  });

  it('keeps an override pinned, reuses the analysis on a second run and leaks no tensor', async () => {
    const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, allocation: 'sensitivity', sparsity: 0.5, overrides: { d: 0.25 }, params: { images: 32 } } }).prune;
    await PRUNERS.obs.prune(graph, p, { calibration });
    const before = tf.memory().numTensors;
    const out = await PRUNERS.obs.prune(graph, p, { calibration });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.detail.sensitivityReused).toBe(true);
    expect((out.detail.layerSparsities as Record<string, number>).d).toBe(0.25);
    expect(zerosOf(weighted(out.graph).find((n) => n.name === 'd')!)).toBe(16);
  });

  it('one allocation pass prunes to the first allocation and says so', async () => {
    const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, allocation: 'sensitivity', sparsity: 0.6, params: { images: 32, passes: 1 } } }).prune;
    const out = await PRUNERS.obs.prune(graph, p, { calibration });
    expect(out.detail.passes).toBe(1);
    expect(out.detail.layerSparsities).toEqual(out.detail.firstPassSparsities);
    for (const n of weighted(out.graph)) expect(zerosOf(n) / n.kernel.values.length).toBeCloseTo((out.detail.layerSparsities as Record<string, number>)[n.name], 1);
  });

  it('tells the job-time estimate its layers, images and trials', () => {
    const two = PRUNERS.obs.work!(graph, withDefaults({ prune: { method: 'obs', spareFirstLast: false, allocation: 'sensitivity', sparsity: 0.6 } }).prune);
    // c1: 8 outputs of 3·3·2 inputs at 8x8 positions ('same'); c2: 16 of 3·3·8, 8x8; d: 4 of 16. Six sparsities in the dense model, seven (from 0) in context.
    expect(two).toEqual({
      layers: [
        { groups: 1, rows: 8, cols: 18, channels: 2, positions: 64 },
        { groups: 1, rows: 16, cols: 72, channels: 8, positions: 64 },
        { groups: 1, rows: 4, cols: 16, channels: 16, positions: 1 },
      ],
      calibrationImages: 256,
      heldOutImages: 128,
      trialsPerLayer: 13,
      prunePasses: 2,
      denseTargets: true,
      refit: true,
    });
    const uniform = PRUNERS.obs.work!(graph, withDefaults({ prune: { method: 'obs', spareFirstLast: false, sparsity: 0.6, allocation: 'uniform', params: { dense: 0, refit: 0 } } }).prune);
    expect(uniform).toMatchObject({ heldOutImages: 0, trialsPerLayer: 0, prunePasses: 1, denseTargets: false, refit: false });
  });

  it('uniform allocation prunes every layer to the same sparsity', async () => {
    const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, sparsity: 0.5, allocation: 'uniform', params: { images: 32 } } }).prune;
    const out = await PRUNERS.obs.prune(graph, p, { calibration });
    for (const n of weighted(out.graph)) expect(zerosOf(n)).toBe(Math.floor(n.kernel.values.length * 0.5));
    expect(out.detail.allocation).toBe('uniform');
  });

  it('fitting each layer to the dense model (dense=1) brings the pruned model closer to the dense one than plain SparseGPT (dense=0)', async () => {
    const x = toInputTensor(images, 0, count, calibration.preprocessing);
    const logitsOf = (g: Graph) => {
      const c = compileGraph(g);
      try {
        return c.predict(x).dataSync() as Float32Array;
      } finally {
        c.dispose();
      }
    };
    const ref = logitsOf(graph);
    const errorOf = async (dense: number) => {
      const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, sparsity: 0.7, allocation: 'uniform', params: { images: 32, dense } } }).prune;
      const y = logitsOf((await PRUNERS.obs.prune(graph, p, { calibration })).graph);
      return y.reduce((a, v, i) => a + (v - ref[i]) ** 2, 0);
    };
    const [fitted, plain] = [await errorOf(1), await errorOf(0)];
    x.dispose();
    // The first layer sees the same inputs either way; the later ones absorb its error only when fitted to the dense model.
    expect(fitted).toBeLessThan(0.9 * plain);
  });

  it('says what is wrong when the training split has no images left to measure on', async () => {
    const p = withDefaults({ prune: { method: 'obs', spareFirstLast: false, allocation: 'sensitivity', sparsity: 0.5, params: { images: 96 } } }).prune;
    await expect(PRUNERS.obs.prune(graph, p, { calibration })).rejects.toThrow(/besides the 96 calibration images/);
  });
});
