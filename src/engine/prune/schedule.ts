/**
 * Gradual pruning schedule with polynomial decay (Zhu & Gupta 2017, arXiv:1710.01878), with
 * tfmot's PolynomialDecay semantics: between beginStep and endStep, every `frequency` steps,
 *   s(t) = final + (initial - final) * (1 - (t - begin) / (end - begin))^power
 * and no pruning outside [begin, end] or off the frequency grid.
 */
export interface PolynomialDecay {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  frequency: number;
  /** tfmot's default exponent is 3. */
  power: number;
}

/** The sparsity target at `step`, or undefined when this step does not update masks. */
export function polynomialDecaySparsity(s: PolynomialDecay, step: number): number | undefined {
  if (step < s.beginStep || step > s.endStep) return undefined;
  if ((step - s.beginStep) % s.frequency !== 0 && step !== s.endStep) return undefined;
  const progress = Math.min(1, (step - s.beginStep) / Math.max(1, s.endStep - s.beginStep));
  return s.finalSparsity + (s.initialSparsity - s.finalSparsity) * Math.pow(1 - progress, s.power);
}
