/**
 * How much smaller a compressed model is than its float32 original, the way the study and our bench
 * report it: 1 - bytes / dense float32 bytes, in percent. The bytes are those of the smallest honest
 * encoding: gzip (level 9) where pruning left zeros, since zeros only shrink an encoding that skips
 * them (a dense int8 file stores every zero), and otherwise the format's own dense bytes.
 */
import type { ModelFormat, ModelReport } from '../metrics/model-report';

export interface SizeReduction {
  /** Percent, 0-100 (negative if the model grew). */
  pct: number;
  /** Which encoding the bytes are: 'gzip' of the model's format, or the format's own dense bytes. */
  basis: 'gzip' | ModelFormat;
  bytes: number;
  /** The float32 bytes of the model before compression, the denominator. */
  float32Bytes: number;
}

type Report = Pick<ModelReport, 'format' | 'params' | 'nonZeroParams'> & { size: Pick<ModelReport['size'], 'float32Bytes' | 'deployedBytes' | 'gzipBytes'> };

export function sizeReduction(before: Pick<Report, 'size'>, after: Report): SizeReduction {
  const zeros = after.nonZeroParams < after.params;
  const bytes = zeros ? after.size.gzipBytes : after.size.deployedBytes;
  const float32Bytes = before.size.float32Bytes;
  return { pct: (1 - bytes / float32Bytes) * 100, basis: zeros ? 'gzip' : after.format, bytes, float32Bytes };
}
