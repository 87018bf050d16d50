/**
 * The automatic search on a tiny model (jobs/auto-search.ts): what it is given (the training
 * split only), where its held-back images lie, that the pick's settings make the pick's model,
 * and that it leaks no tensor.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { type AutoSearchInput, autoSearch, candidateSettings } from '../../src/engine/jobs/auto-search';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import { type Graph, isWeighted, type WeightedNode } from '../../src/engine/graph/ir';
import { PRUNERS } from '../../src/engine/prune/methods/registry';
import type { ImageDataset } from '../../src/engine/types';
import { kernelValues as values, syntheticImages } from './recon-fixtures';

const graph: Graph = {
  name: 'auto',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [6, 6, 2] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 8], values: values(144, 1.7) }, bias: { shape: [8], values: values(8, 0.5) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['c1'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [8, 4], values: values(32, 2.3) }, activation: 'linear' },
  ],
};

const count = 420;
const train = syntheticImages(count, [6, 6, 2]);
const preprocessing = { kind: 'scale' as const, scale: 1 / 255 };
const settings = withDefaults({ prune: { method: 'obs', allocation: 'sensitivity', spareFirstLast: false, params: { images: 16 } }, quant: { mode: 'int8', calibration: { samples: 24 } } });
const zeros = (n: WeightedNode) => n.kernel.values.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);

describe('autoSearch', () => {
  it('judges on training records after every calibration set, picks the smallest within a loose budget, and its settings make that model', async () => {
    const input: AutoSearchInput = { graph, train, preprocessing, settings, budget: { kind: 'max-drop', points: 100 }, heldOut: 120 };
    // The search's inputs are the model and the training split; a test split is not one of them.
    // @ts-expect-error test records are not an input of the search
    const withTest: AutoSearchInput = { ...input, test: train };
    expect(withTest).toBeDefined();
    const before = tf.memory().numTensors;
    const r = await autoSearch(input);
    expect(tf.memory().numTensors).toBe(before);
    // Pruning's 16 calibration images and the sensitivity's 128 held-back ones come first; quantization's 24 lie inside them.
    expect(r.heldOutFrom).toBe(16 + 128);
    expect(r.heldOutImages).toBe(120);
    // With 100 points allowed both ends meet the budget: nothing pruned, and every layer at 95%.
    expect(r.candidates.map((c) => c.meets)).toEqual([true, true]);
    expect(r.candidates[0].sparsity).toBe(0);
    expect(r.pick).toBe(r.candidates[1]);
    expect(r.pick.sparsity).toBeCloseTo(0.95, 9);
    expect(r.pick.gzipBytes).toBeLessThan(r.candidates[0].gzipBytes);
    expect(r.pickSettings.prune).toMatchObject({ method: 'obs', allocation: 'uniform', overrides: r.pick.layerSparsities });
    const out = await PRUNERS.obs.prune(graph, r.pickSettings.prune, { calibration: { images: train, preprocessing, samples: 24 } });
    for (const n of out.graph.nodes.filter(isWeighted)) expect(zeros(n)).toBe(Math.floor(n.kernel.values.length * r.pick.layerSparsities[n.name]));
    // A candidate that prunes nothing is made without pruning.
    expect(candidateSettings(settings, 0, r.candidates[0].layerSparsities).prune.method).toBe('none');
  });

  it('refuses a training split too small to hold back images after the calibration sets', async () => {
    const small = { ...train, count: 200, pixels: train.pixels.subarray(0, 200 * 72), labels: train.labels.subarray(0, 200) };
    await expect(autoSearch({ graph, train: small, preprocessing, settings, budget: { kind: 'max-drop', points: 1 } })).rejects.toThrow(/after the first 144 \(calibration\).*only 200 images/);
  });
});
