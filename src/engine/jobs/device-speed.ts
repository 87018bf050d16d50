import * as tf from '@tensorflow/tfjs';

/**
 * MAC/s of the active backend on a 3x3 conv of VGG-like shape (32x32x64 -> 64: 37.7 MMACs), the
 * speed estimate.ts turns MACs into seconds with. A warm-up run first, since the first call
 * compiles or allocates; then the median of a few timed runs (~0.1 s in all on wasm).
 */
export async function measureMacPerSecond(runs = 5): Promise<number> {
  const macs = 32 * 32 * 64 * 64 * 9;
  const x = tf.randomNormal([1, 32, 32, 64]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 64, 64]) as tf.Tensor4D;
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
    return (performance.now() - t0) / 1000;
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return macs / Math.max(times[Math.floor(times.length / 2)], 1e-6);
  } finally {
    x.dispose();
    w.dispose();
  }
}
