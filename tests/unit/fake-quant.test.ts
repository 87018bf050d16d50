/** quantize/simulate.ts: the fast quantize-dequantize step equals the step as defined, ties included. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { QuantParams } from '../../src/engine/quantize/affine';
import { fakeQuantTensor, fakeQuantTensorReference } from '../../src/engine/quantize/simulate';

/** Values around and beyond the grid, with exact half-step ties and their neighbours. */
function probe(p: QuantParams): Float32Array {
  const out: number[] = [];
  for (let k = p.qmin - p.zeroPoint - 3; k <= p.qmax - p.zeroPoint + 3; k++) {
    for (const f of [0, 0.25, 0.5, 0.75, 0.4999, 0.5001]) out.push((k + f) * p.scale, -(k + f) * p.scale);
  }
  for (let i = 0; i < 2000; i++) out.push((Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453) - 0.5) * 300 * p.scale);
  return Float32Array.from(out);
}

describe('fakeQuantTensor', () => {
  const cases: Array<[string, QuantParams]> = [
    ['a ReLU output (zero point = qmin)', { scale: 0.0371, zeroPoint: -128, qmin: -128, qmax: 127 }],
    ['a signed activation', { scale: 0.0213, zeroPoint: 5, qmin: -128, qmax: 127 }],
    ['a symmetric grid', { scale: 0.5, zeroPoint: 0, qmin: -127, qmax: 127 }],
  ];
  for (const [what, p] of cases) {
    it(`equals the definition on ${what}`, () => {
      const x = tf.tensor1d(probe(p));
      const fast = fakeQuantTensor(x, p).dataSync();
      const ref = fakeQuantTensorReference(x, p).dataSync();
      tf.dispose(x);
      let differ = 0;
      // === so that -0 and 0 (a negative value rounding to zero) count as equal.
      for (let i = 0; i < ref.length; i++) if (!(fast[i] === ref[i])) differ++;
      expect(differ).toBe(0);
      // The grid's ends: nothing beyond qmin or qmax.
      expect(Math.min(...fast)).toBeCloseTo((p.qmin - p.zeroPoint) * p.scale, 6);
      expect(Math.max(...fast)).toBeCloseTo((p.qmax - p.zeroPoint) * p.scale, 6);
    });
  }
  it('rounds ties away from zero, as TFLite does', () => {
    const p: QuantParams = { scale: 1, zeroPoint: 0, qmin: -128, qmax: 127 };
    expect(Array.from(fakeQuantTensor(tf.tensor1d([0.5, 1.5, 2.5, -0.5, -2.5]), p).dataSync())).toEqual([1, 2, 3, -1, -3]);
    const relu: QuantParams = { scale: 1, zeroPoint: -128, qmin: -128, qmax: 127 };
    expect(Array.from(fakeQuantTensor(tf.tensor1d([0.5, 1.5, 2.5, 254.5, 255.5, -3]), relu).dataSync())).toEqual([1, 2, 3, 255, 255, 0]);
  });
});
