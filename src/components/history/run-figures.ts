/**
 * Figures of a stored run for the history's table, comparison and Pareto chart. Display only:
 * each is the engine's number from the run's result.
 */
import type { RunRecord } from '../../state/run-record';
import { packedBytes, peakBytes } from '../compress/metric-rows';

export type SizeMeasure = 'deployed' | 'gzip' | 'sparse';

export const SIZE_MEASURES: ReadonlyArray<{ value: SizeMeasure; label: string }> = [
  { value: 'deployed', label: 'deployed (dense)' },
  { value: 'gzip', label: 'gzip' },
  { value: 'sparse', label: 'sparse (bitmask)' },
];

export function sizeAfter(r: RunRecord, m: SizeMeasure): number {
  const a = r.result.after;
  return m === 'deployed' ? a.size.deployedBytes : m === 'gzip' ? packedBytes(a).gzip : packedBytes(a).sparse;
}

export function peakAfter(r: RunRecord): number {
  return peakBytes(r.result.after);
}
