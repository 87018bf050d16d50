/**
 * The conformance suite over the pruning registry (tfmot/Torch-Pruning style): every method of
 * choices/prune-methods.ts has an implementation in prune/methods/registry.ts, and each one keeps
 * the graph's shape, is deterministic, leaves its input alone, leaks no tensor, prunes what its
 * table entry says it does, and gives the same result from settings that went through JSON (a
 * link, the history, a worker message), and says what it did in the run's sentence. A method's own test covers only its maths
 * (prune-masks.test.ts, prune-structured.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isPruning, PRUNE_METHODS } from '../../src/engine/choices/prune-methods';
import { PRUNE_SCHEDULES } from '../../src/engine/choices/prune';
import { type CompressSettings, DEFAULT_SETTINGS, pruneMethodOf, validateCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { cloneGraph, type Graph, isWeighted, type WeightedNode } from '../../src/engine/graph/ir';
import { inferShapes } from '../../src/engine/graph/shapes';
import { sentenceWords } from '../../src/engine/jobs/run-sentence';
import { PRUNERS } from '../../src/engine/prune/methods/registry';
import type { PruneContext } from '../../src/engine/prune/methods/pruner';
import { applyMasks } from '../../src/engine/prune/unstructured';
import type { ImageDataset } from '../../src/engine/types';
import { kernelValues as values } from './recon-fixtures';

/** conv 2->8 -> conv 8->8 -> GAP -> dense 8->4: two prunable filter groups and one classifier. */
const graph: Graph = {
  name: 'conformance',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [8, 8, 2] },
    { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: { shape: [3, 3, 2, 8], values: values(144, 1.7) }, bias: { shape: [8], values: values(8, 0.5) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'c2', op: 'conv2d', inputs: ['c1'], kernel: { shape: [3, 3, 8, 8], values: values(576, 0.9) }, strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'gap', op: 'gap', inputs: ['c2'] },
    { name: 'd', op: 'dense', inputs: ['gap'], kernel: { shape: [8, 4], values: values(32, 2.3) }, activation: 'linear' },
  ],
};

const images: ImageDataset = {
  id: 'mnist',
  split: 'train',
  count: 16,
  shape: [8, 8, 2],
  numClasses: 4,
  pixels: new Uint8Array(16 * 128).map((_, i) => (i * 37) % 256),
  labels: new Uint8Array(16).map((_, i) => i % 4),
  classNames: ['a', 'b', 'c', 'd'],
};

const weighted = (g: Graph) => g.nodes.filter(isWeighted) as WeightedNode[];
const zeros = (v: Float32Array) => v.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);

function settingsFor(method: (typeof PRUNE_METHODS.ids)[number]): CompressSettings {
  const params = Object.fromEntries(pruneMethodOf({ method }).params.map((p) => [p.key, p.default]));
  // Sensitivity allocation needs held-back images beyond these 16; recon-allocation.test.ts covers it.
  return withDefaults({ prune: { method, sparsity: 0.5, params, allocation: 'uniform', spareFirstLast: false } });
}

function contextFor(method: (typeof PRUNE_METHODS.ids)[number]): PruneContext {
  return PRUNE_METHODS.get(method).needsCalibrationData ? { calibration: { images, preprocessing: { kind: 'scale', scale: 1 / 255 }, samples: 8 } } : {};
}

describe('every pruning method of the table has an implementation', () => {
  it('the registry and the table list the same ids', () => {
    expect(Object.keys(PRUNERS).sort()).toEqual([...PRUNE_METHODS.ids].sort());
  });
  it.each(PRUNE_METHODS.ids)('%s says what it did in the run sentence (a clause when it prunes, none when it does not)', (id) => {
    const clause = PRUNE_METHODS.get(id).sentence(sentenceWords(settingsFor(id).prune));
    if (isPruning(PRUNE_METHODS.get(id))) expect(clause).toMatch(/^[A-Z][^.]+[^.\s]$/);
    else expect(clause).toBeUndefined();
  });
  it.each(PRUNE_METHODS.ids.filter((id) => PRUNE_METHODS.get(id).uses.gradual))('%s takes a gradual schedule, so it computes masks at any sparsity', (id) => {
    expect(typeof PRUNERS[id].masksAt).toBe('function');
  });
});

describe.each(PRUNE_METHODS.ids)('conformance: %s', (id) => {
  const method = PRUNE_METHODS.get(id);
  const pruner = PRUNERS[id];

  it('validates its default settings, also after a JSON round trip', () => {
    const s = settingsFor(id);
    expect(() => validateCompressSettings(s)).not.toThrow();
    expect(() => validateCompressSettings(JSON.parse(JSON.stringify(s)))).not.toThrow();
  });

  it('keeps the graph’s nodes, ops and output shape, and leaves its input unchanged', async () => {
    const before = cloneGraph(graph);
    const out = await pruner.prune(graph, settingsFor(id).prune, contextFor(id));
    expect(graph).toEqual(before);
    expect(out.graph.nodes.map((n) => [n.name, n.op])).toEqual(graph.nodes.map((n) => [n.name, n.op]));
    expect(inferShapes(out.graph).get('d')).toEqual(inferShapes(graph).get('d'));
    if (!method.structured) for (const [a, b] of weighted(out.graph).map((n, i) => [n, weighted(graph)[i]] as const)) expect(a.kernel.shape).toEqual(b.kernel.shape);
  });

  it('prunes what its table entry says', async () => {
    const out = await pruner.prune(graph, settingsFor(id).prune, contextFor(id));
    const kernelsBefore = weighted(graph).reduce((a, n) => a + n.kernel.values.length, 0);
    const kept = weighted(out.graph).reduce((a, n) => a + n.kernel.values.length - zeros(n.kernel.values), 0);
    if (!isPruning(method)) expect(kept).toBe(kernelsBefore);
    else expect(kept).toBeLessThan(kernelsBefore * 0.8);
    if (method.structured) expect(out.masks).toBeUndefined();
    // A method without calibration data only zeroes weights; a reconstruction method also re-fits the kept ones.
    if (out.masks && !method.needsCalibrationData) expect(applyMasks(graph, out.masks)).toEqual(out.graph);
    for (const n of weighted(out.graph)) {
      const m = out.masks?.get(n.name);
      if (m) m.forEach((keep, i) => keep || expect(n.kernel.values[i]).toBe(0));
    }
  });

  it('is deterministic and gives the same result from settings read back from JSON', async () => {
    const s = settingsFor(id);
    const a = await pruner.prune(graph, s.prune, contextFor(id));
    const b = await pruner.prune(graph, (JSON.parse(JSON.stringify(s)) as CompressSettings).prune, contextFor(id));
    expect(b.graph).toEqual(a.graph);
    expect(JSON.parse(JSON.stringify(b.detail))).toEqual(JSON.parse(JSON.stringify(a.detail)));
  });

  it('leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    await pruner.prune(graph, settingsFor(id).prune, contextFor(id));
    if (pruner.masksAt) pruner.masksAt(graph, settingsFor(id).prune, 0.25);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.runIf(method.uses.gradual)('a gradual step’s masks prune more as the sparsity rises', () => {
    const s = withDefaults({ prune: { method: id, sparsity: 0.75, schedule: { kind: 'gradual', initialSparsity: 0, power: 3 } }, finetune: { epochs: 1 } });
    expect(() => validateCompressSettings(s)).not.toThrow();
    const pruned = (sp: number) => [...pruner.masksAt!(graph, s.prune, sp).values()].reduce((a, m) => a + m.length - m.reduce((x, y) => x + y, 0), 0);
    if (method.uses.sparsity) expect(pruned(0.25)).toBeLessThan(pruned(0.75));
    else expect(pruned(0.25)).toBeGreaterThan(0);
  });
});

describe('settings tables agree with the defaults', () => {
  it('the default schedule is the table’s default', () => {
    expect(DEFAULT_SETTINGS.prune.schedule.kind).toBe(PRUNE_SCHEDULES.defaultId);
  });
});
