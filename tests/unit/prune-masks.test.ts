import { describe, expect, it } from 'vitest';
import { globalMagnitudeMasks, magnitudeMask, nmMask, sparsityOf } from '../../src/engine/prune/magnitude';
import { polynomialDecaySparsity } from '../../src/engine/prune/schedule';

describe('per-layer magnitude pruning', () => {
  // A 4x4 weight tensor (row-major). Sorted by |w|: 0.05, -0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7 | 0.8, -0.9, 1.0, ...
  const w = [0.8, -0.1, 1.0, 0.05, -0.3, 1.2, 0.2, -0.9, 0.4, 1.5, -0.6, 1.1, 0.7, -1.3, 0.5, 1.4];

  it('at 50% keeps exactly these 8 values', () => {
    const mask = magnitudeMask(w, 0.5);
    const kept = w.filter((_, i) => mask[i] === 1);
    expect(kept).toEqual([0.8, 1.0, 1.2, -0.9, 1.5, 1.1, -1.3, 1.4]);
    expect(sparsityOf(mask)).toBe(0.5);
  });

  it('prunes round(s * n) weights and breaks ties by position', () => {
    expect(sparsityOf(magnitudeMask(w, 0.25))).toBe(0.25);
    expect(Array.from(magnitudeMask([1, -1, 1, 1], 0.5))).toEqual([0, 0, 1, 1]);
    expect(Array.from(magnitudeMask([3, 2, 1], 0))).toEqual([1, 1, 1]);
    expect(Array.from(magnitudeMask([3, 2, 1], 1))).toEqual([0, 0, 0]);
    expect(() => magnitudeMask(w, 1.5)).toThrow(RangeError);
  });
});

describe('global magnitude pruning', () => {
  it('ranks all layers together, so the layer of small weights loses more', () => {
    const a = [0.1, 0.2, 0.3, 0.4];
    const b = [1, 2, 3, 4];
    const [ma, mb] = globalMagnitudeMasks([a, b], 0.5);
    expect(Array.from(ma)).toEqual([0, 0, 0, 0]);
    expect(Array.from(mb)).toEqual([1, 1, 1, 1]);
    const [ma2, mb2] = globalMagnitudeMasks([a, b], 0.625);
    expect(Array.from(ma2)).toEqual([0, 0, 0, 0]);
    expect(Array.from(mb2)).toEqual([0, 1, 1, 1]);
  });
});

describe('2:4 sparsity', () => {
  it('keeps the 2 largest of every 4 consecutive input channels, per output channel', () => {
    // Dense kernel [in=4, out=2], element (i, o) at i*2+o.
    const w = [0.1, -4, -0.5, 3, 0.3, 2, 0.2, -1];
    // out 0 column: [0.1, -0.5, 0.3, 0.2] keeps -0.5 and 0.3; out 1 column: [-4, 3, 2, -1] keeps -4 and 3.
    expect(Array.from(nmMask(w, [4, 2], 2, 4))).toEqual([0, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('applies to conv kernels along cin, and a short trailing group keeps half rounded up', () => {
    const shape = [1, 1, 6, 1];
    const w = [6, 5, 4, 3, 2, 1];
    expect(Array.from(nmMask(w, shape, 2, 4))).toEqual([1, 1, 0, 0, 1, 0]);
  });
});

describe('polynomial decay schedule (tfmot semantics)', () => {
  const s = { initialSparsity: 0.0, finalSparsity: 0.8, beginStep: 0, endStep: 100, frequency: 10, power: 3 };
  it('starts at the initial sparsity, ends at the final one, and follows the cubic in between', () => {
    expect(polynomialDecaySparsity(s, 0)).toBeCloseTo(0, 12);
    expect(polynomialDecaySparsity(s, 50)).toBeCloseTo(0.8 - 0.8 * 0.125, 12);
    expect(polynomialDecaySparsity(s, 100)).toBeCloseTo(0.8, 12);
  });
  it('updates only on the frequency grid inside [begin, end]', () => {
    expect(polynomialDecaySparsity(s, 5)).toBeUndefined();
    expect(polynomialDecaySparsity(s, 110)).toBeUndefined();
    expect(polynomialDecaySparsity({ ...s, beginStep: 20 }, 10)).toBeUndefined();
  });
});

/** The masks as first written: indices sorted by (|w|, index) with a comparator, the first k pruned. */
function referenceMask(abs: number[], sparsity: number): number[] {
  const order = abs.map((_, i) => i).sort((a, b) => abs[a] - abs[b] || a - b);
  const mask = abs.map(() => 1);
  for (const i of order.slice(0, Math.round(sparsity * abs.length))) mask[i] = 0;
  return mask;
}

describe('magnitude masks by threshold', () => {
  it('equal the comparator ordering, ties by position, per layer and global', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (const n of [1, 5, 64, 1001]) {
      // Few distinct values, so many ties fall on the threshold.
      const w = Array.from({ length: n }, () => Math.round(rnd() * 6) / 4);
      for (const s of [0, 0.1, 0.25, 0.5, 0.73, 0.9, 1]) expect(Array.from(magnitudeMask(w, s)), `n ${n}, sparsity ${s}`).toEqual(referenceMask(w.map(Math.abs), s));
      const a = w.slice(0, Math.ceil(n / 3));
      const b = w.slice(Math.ceil(n / 3));
      for (const s of [0.3, 0.5, 0.8]) {
        const flat = referenceMask(w.map(Math.abs), s);
        const [ma, mb] = globalMagnitudeMasks([a, b], s);
        expect([...Array.from(ma), ...Array.from(mb ?? [])]).toEqual(flat);
      }
    }
  });
});
