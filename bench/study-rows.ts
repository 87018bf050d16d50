/**
 * One row of `npm run bench`'s table from a finished compress job (bench/study.ts): its sizes,
 * accuracy and timings, each read from the engine's result (the gzip figure is the model report's
 * own-format gzip, as the page and the CLI show it).
 */
import type { CompressJobResult } from '../src/workers/protocol';
import { sizeReduction } from '../src/engine/study/size-reduction';

export interface Row {
  modelId: string;
  method: string;
  float32Bytes: number;
  int8Bytes: number;
  gzipBytes: number;
  tfliteBytes?: number;
  reductionPct: number;
  reductionBasis: string;
  accuracy: number;
  macroRecall: number;
  tfjsLatencyMs: number;
  tfjsBackend: string;
  tfjsImagesPerSecond: number;
  tfliteFloatMs?: number;
  tfliteInt8Ms?: number;
  tfliteInt8Accuracy?: number;
  /** The runtime that timed the .tflite files (RuntimeInfo.name). */
  tfliteRuntime?: string;
  jobSeconds: number;
  testRecords: string;
  caveats: string[];
}

export function rowOf(modelId: string, label: string, r: CompressJobResult, seconds: number): Row {
  const a = r.after;
  const quantized = a.format !== 'float32';
  const reduction = sizeReduction(r.before, a);
  const tfl = r.exports?.models.find((m) => m.label === (quantized ? 'int8' : 'float32')) as { byteLength?: number } | undefined;
  const t = (label: string) => r.tflite?.models.find((m) => m.label === label);
  return {
    modelId,
    method: label,
    float32Bytes: r.before.size.float32Bytes,
    int8Bytes: a.size.int8Bytes,
    gzipBytes: a.size.gzipBytes,
    tfliteBytes: tfl?.byteLength,
    reductionPct: reduction.pct,
    reductionBasis: reduction.basis,
    accuracy: a.metrics.accuracy,
    macroRecall: a.metrics.macroRecall,
    tfjsLatencyMs: a.latency.medianMs,
    tfjsBackend: r.backend,
    tfjsImagesPerSecond: a.throughput.imagesPerSecond,
    tfliteFloatMs: t('float32')?.latency.medianMs,
    tfliteInt8Ms: t('int8')?.latency.medianMs,
    tfliteInt8Accuracy: t('int8')?.metrics.accuracy,
    tfliteRuntime: r.tflite?.runtime.name,
    jobSeconds: seconds,
    testRecords: `${r.testRecords.first}-${r.testRecords.first + r.testRecords.count - 1}`,
    caveats: r.caveats,
  };
}
