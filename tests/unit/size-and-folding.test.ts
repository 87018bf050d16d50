import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { sizeReport } from '../../src/engine/metrics/size';
import { foldBatchNorm } from '../../src/engine/quantize/fold-batchnorm';
import { mulberry32 } from '../../src/engine/train/data-order';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('size report', () => {
  const kernel = new Float32Array([0, 0.5, 0, -1, 0, 0, 2, 0]); // 8 elements, 3 non-zero
  const bias = new Float32Array([0.1, 0]);

  it('counts float32, int8 (+ scales, int32 bias) and sparse bitmask-plus-values bytes', () => {
    const r = sizeReport([
      { name: 'k', values: kernel, int8: new Int8Array([0, 32, 0, -64, 0, 0, 127, 0]), scales: 2 },
      { name: 'b', values: bias, isBias: true },
    ]);
    expect(r.params).toBe(10);
    expect(r.nonZeroParams).toBe(4);
    expect(r.float32Bytes).toBe(40);
    expect(r.int8Bytes).toBe(8 + 2 * 4 + 2 * 4);
    // float32 sparse: bitmask ceil(8/8)=1 + 3*4, and ceil(2/8)=1 + 1*4.
    expect(r.sparseFloat32Bytes).toBe(1 + 12 + 1 + 4);
    // int8 sparse: 1 + 3*1 + 2 scales*4, and the int32 bias 1 + 1*4.
    expect(r.sparseInt8Bytes).toBe(1 + 3 + 8 + 1 + 4);
  });

  it('measures gzip on the serialized weights: zeros compress', () => {
    const dense = new Float32Array(4096).map((_, i) => Math.sin(i) + 2);
    const pruned = dense.map((v, i) => (i % 5 === 0 ? v : 0));
    const a = sizeReport([{ name: 'w', values: dense }]);
    const b = sizeReport([{ name: 'w', values: pruned }]);
    expect(a.gzipFloat32Bytes).toBe(gzipSync(new Uint8Array(dense.buffer), { level: 9, mtime: 0 }).length);
    expect(b.gzipFloat32Bytes).toBeLessThan(a.gzipFloat32Bytes * 0.4);
    // Nothing quantized: the int8 file is the float file, byte for byte, and so is its gzip'd size.
    const two = sizeReport([
      { name: 'w', values: dense },
      { name: 'v', values: pruned },
    ]);
    const both = new Uint8Array(2 * dense.byteLength);
    both.set(new Uint8Array(dense.buffer));
    both.set(new Uint8Array(pruned.buffer), dense.byteLength);
    expect(two.gzipInt8Bytes).toBe(gzipSync(both, { level: 9, mtime: 0 }).length);
    expect(two.gzipInt8Bytes).toBe(two.gzipFloat32Bytes);
  });
});

describe('BatchNorm folding', () => {
  it('matches a hand-computed 1x1 conv with two output channels', () => {
    // kernel [1,1,1,2] = [2, -1], no bias; gamma [1, 2], beta [0.5, 0], mean [1, 0], var [3, 0.25], eps 1.
    const f = foldBatchNorm(new Float32Array([2, -1]), undefined, {
      gamma: new Float32Array([1, 2]),
      beta: new Float32Array([0.5, 0]),
      mean: new Float32Array([1, 0]),
      variance: new Float32Array([3, 0.25]),
      epsilon: 1,
    });
    // s = [1/2, 2/sqrt(1.25)]
    expect(f.kernel[0]).toBeCloseTo(1, 6);
    expect(f.kernel[1]).toBeCloseTo(-2 / Math.sqrt(1.25), 6);
    expect(f.bias[0]).toBeCloseTo(-0.5 + 0.5, 6);
    expect(f.bias[1]).toBeCloseTo(0, 6);
  });

  it('conv + BN in tfjs equals the folded conv on random tensors', () => {
    const rand = mulberry32(11);
    const r = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
    const [kh, kw, cin, cout] = [3, 3, 4, 5];
    const kernel = r(kh * kw * cin * cout);
    const bias = r(cout);
    const bn = { gamma: r(cout, 0.5, 1.5), beta: r(cout), mean: r(cout), variance: r(cout, 0.1, 2), epsilon: 1e-3 };
    const x = tf.tensor4d(r(2 * 6 * 6 * cin), [2, 6, 6, cin]);
    const ref = tf.tidy(() => tf.batchNorm(tf.conv2d(x, tf.tensor4d(kernel, [kh, kw, cin, cout]), 1, 'same').add(tf.tensor1d(bias)), tf.tensor1d(bn.mean), tf.tensor1d(bn.variance), tf.tensor1d(bn.beta), tf.tensor1d(bn.gamma), bn.epsilon));
    const f = foldBatchNorm(kernel, bias, bn);
    const folded = tf.tidy(() => tf.conv2d(x, tf.tensor4d(f.kernel, [kh, kw, cin, cout]), 1, 'same').add(tf.tensor1d(f.bias)));
    const diff = tf.tidy(() => ref.sub(folded).abs().max().dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, ref, folded]);
  });
});
