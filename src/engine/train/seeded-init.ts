/**
 * Seeded weight initialisation. tfjs' initialisers draw from an unseeded generator, so two runs of
 * train-from-scratch would start from different weights; here every kernel is re-drawn He-normal
 * (as the zoo builders specify) from a seed derived from the run's seed and the weight's index, so
 * a run is reproducible end to end. Biases and BatchNorm parameters keep their constant inits.
 */
import * as tf from '@tensorflow/tfjs';

export function seedKernels(model: tf.LayersModel, seed: number): void {
  const weights = model.getWeights();
  const fresh = weights.map((w, i) => {
    const name = model.weights[i].originalName;
    if (!/kernel$/.test(name)) return null;
    const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1) * (/depthwise_kernel$/.test(name) ? 1 / (w.shape[2] ?? 1) : 1);
    return tf.randomNormal(w.shape, 0, Math.sqrt(2 / fanIn), 'float32', (seed * 1000 + i) >>> 0);
  });
  model.setWeights(weights.map((w, i) => fresh[i] ?? w));
  tf.dispose(fresh.filter((t): t is tf.Tensor => t !== null));
}
