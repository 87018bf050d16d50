/**
 * The live picture's numbers (engine/explain/weight-sample.ts) on a layer small enough to work out
 * by hand: the recipe's mask, the 2:4 pattern and one channel on the int8 grid.
 */
import { describe, expect, it } from 'vitest';
import { weightSample } from '../../src/engine/explain/weight-sample';
import { DEFAULT_SETTINGS, type PruneSettings } from '../../src/engine/jobs/compress-settings';
import type { Graph } from '../../src/engine/graph/ir';

// Kernel [1, 1, 8, 2]: element (ci, co) at ci * 2 + co.
const CH0 = [0.8, -0.1, 0.3, -0.6, 0.05, 0.2, -0.45, 0.7];
const CH1 = [0.01, 0.02, -0.5, 0.04, 1.0, -0.03, 0.06, 0.1];
function graph(): Graph {
  const k = new Float32Array(16);
  CH0.forEach((v, ci) => (k[ci * 2] = v));
  CH1.forEach((v, ci) => (k[ci * 2 + 1] = v));
  return {
    name: 'tiny',
    output: 'fc',
    nodes: [
      { op: 'input', name: 'in', inputs: [], shape: [2, 2, 8] },
      { op: 'conv2d', name: 'a', inputs: ['in'], kernel: { shape: [1, 1, 8, 2], values: k }, strides: [1, 1], padding: 'same', activation: 'relu' },
      { op: 'gap', name: 'g', inputs: ['a'] },
      { op: 'dense', name: 'fc', inputs: ['g'], kernel: { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) }, activation: 'linear' },
    ],
  };
}
const prune = (p: Partial<PruneSettings>): PruneSettings => ({ ...DEFAULT_SETTINGS.prune, spareFirstLast: false, ...p });

describe('weight sample', () => {
  it('per-layer 50%: the 8 smallest of 16 weights pruned, 2:4 per group of 4 input channels, int8 per channel', async () => {
    const s = await weightSample(graph(), { prune: prune({ method: 'per-layer', sparsity: 0.5 }), granularity: 'per-channel' });
    expect(s.layer).toBe('a');
    expect(s.inputChannels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(s.outputChannels).toEqual([0, 1]);
    expect(s.weights[0]).toBeCloseTo(0.8, 6);
    expect(s.weights[9]).toBeCloseTo(1.0, 6);
    // Pruned: 0.01 0.02 0.03 0.04 0.05 0.06 and both 0.1s; kept: six of channel 0, -0.5 and 1.0 of channel 1.
    expect(s.mask).toEqual([1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0]);
    expect(s.layerSparsity).toBe(0.5);
    expect(s.pruned).toBe(true);
    // 2:4: channel 0 keeps ci 0,3 | 6,7; channel 1 keeps ci 2,3 | 4,7.
    expect(s.nm).toEqual([1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1]);
    const l = s.int8!;
    expect(l.channel).toBe(0);
    expect(l.scale).toBeCloseTo(0.8 / 127, 9);
    expect(l.zeroPoint).toBe(0);
    expect([l.qmin, l.qmax]).toEqual([-127, 127]);
    // round(v * 127 / 0.8), half away from zero; pruned weights are 0.
    expect(l.q).toEqual([127, 0, 48, -95, 0, 32, -71, 111]);
    expect(l.positions[6]).toBeCloseTo(-71.4375, 4);
    expect(l.dequantized[2]).toBeCloseTo((48 * 0.8) / 127, 6);
  });

  it('2:4 as the recipe: its mask is the 2:4 pattern', async () => {
    const s = await weightSample(graph(), { prune: prune({ method: 'n:m', n: 2, m: 4 }), granularity: 'per-channel' });
    expect(s.mask).toEqual(s.nm);
    expect(s.layerSparsity).toBe(0.5);
  });

  it('per tensor: one scale from the layer’s largest weight (1.0)', async () => {
    const l = (await weightSample(graph(), { prune: prune({ method: 'none' }), granularity: 'per-tensor' })).int8!;
    expect(l.scale).toBeCloseTo(1 / 127, 9);
    expect(l.q).toEqual([102, -13, 38, -76, 6, 25, -57, 89]);
  });

  it('structured 50%: the filter with the smaller L1 norm (channel 1: 1.76 < 3.20) is cut out', async () => {
    const s = await weightSample(graph(), { prune: prune({ method: 'structured', sparsity: 0.5 }), granularity: 'per-channel' });
    expect(s.mask).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(s.layerSparsity).toBe(0.5);
    expect(s.int8!.channel).toBe(0);
    expect(s.int8!.q).toEqual([127, -16, 48, -95, 8, 32, -71, 111]);
  });
});
