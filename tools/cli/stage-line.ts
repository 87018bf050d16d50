/** One line per stage of a compress result, shared by the CLI and the benchmarks. */
import type { CompressResult } from '../../src/engine/jobs/compress';

export function stageLine(st: CompressResult['stages'][number]): string {
  const d = st.detail as { steps?: number; imagesPerSecond?: number; phaseSeconds?: Record<string, number> };
  const accuracy = st.accuracy !== undefined ? `, accuracy ${(st.accuracy * 100).toFixed(2)}%` : '';
  const steps = d.steps ? `, ${d.steps} steps at ${Number(d.imagesPerSecond).toFixed(0)} img/s` : '';
  // Reconstruction with sensitivity allocation: where its time went before the final pruning.
  const phases = d.phaseSeconds
    ? ` (${Object.entries(d.phaseSeconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}, then the final pruning)`
    : '';
  return `stage ${st.stage}: ${(st.elapsedMs / 1000).toFixed(1)} s${accuracy}${steps}${phases}`;
}
