/**
 * Classification metrics from predicted and true labels: top-1 accuracy, macro precision,
 * recall and F1 (unweighted means over classes), per-class recall and the confusion matrix
 * (rows = true class, columns = predicted class).
 * A class with no true samples has recall 0 and counts in the macro mean, matching
 * scikit-learn's `zero_division=0` convention; likewise for precision with no predictions.
 */
import type { ClassificationMetrics } from '../types';

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

export function metricsFromConfusion(confusion: number[][]): ClassificationMetrics {
  const k = confusion.length;
  let correct = 0;
  let count = 0;
  const recall: number[] = [];
  const precision: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    const actual = confusion[c].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    correct += tp;
    count += actual;
    recall.push(actual === 0 ? 0 : tp / actual);
    precision.push(predicted === 0 ? 0 : tp / predicted);
  }
  const f1 = recall.map((r, c) => (r + precision[c] === 0 ? 0 : (2 * r * precision[c]) / (r + precision[c])));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / k;
  return {
    count,
    accuracy: count === 0 ? 0 : correct / count,
    macroRecall: mean(recall),
    macroPrecision: mean(precision),
    macroF1: mean(f1),
    perClassRecall: recall,
    confusion,
  };
}

export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): ClassificationMetrics {
  return metricsFromConfusion(confusionMatrix(truth, predicted, numClasses));
}
