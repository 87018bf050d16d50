/**
 * "gzip of the model in its own format" is computed once, in the model report
 * (metrics/model-report.ts `size.gzipBytes` / `sparseBytes`), and the page, the CLI and the bench
 * read it. Issue 23's bug: for a float16 run the CLI and the bench printed the int8 gzip figure and
 * the page the float32 one; a float16 model stores halves, so its gzip is that of the halves.
 */
import { gzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rowOf } from '../../bench/study-rows';
import { formatBytes } from '../../src/components/format';
import { packedBytes, sizeRows } from '../../src/components/compress/metric-rows';
import type { CompressResult } from '../../src/engine/jobs/compress';
import { type ModelFormat, type ModelReport, staticReport, weightTensors } from '../../src/engine/metrics/model-report';
import { float16Sizes } from '../../src/engine/metrics/size';
import { restoreRun, type RunRecord } from '../../src/state/run-record';
import type { CompressJobResult } from '../../src/workers/protocol';
import { printCompressTable } from '../../tools/cli/compress-command';
import { smallGraph, smallQuantized } from '../fixtures/small-graph';

/** IEEE binary16 bits -> value, written out from the format's definition (independent of the encoder). */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const bytesOf = (u16: Uint16Array) => new Uint8Array(u16.buffer, u16.byteOffset, u16.byteLength);

describe('float16 sizes', () => {
  it('gzips the halves and counts 2 bytes per non-zero half plus the bitmask (hand-computed bits)', () => {
    // 0.5 = 0x3800, -2 = 0xC000, 1.5 = 0x3E00, 0 and 1e-8 (below half's smallest subnormal/2) = 0.
    const s = float16Sizes([{ name: 'w', values: new Float32Array([0.5, -2, 1.5, 0, 1e-8]) }]);
    expect(s.gzipBytes).toBe(gzipSync(bytesOf(new Uint16Array([0x3800, 0xc000, 0x3e00, 0, 0])), { level: 9, mtime: 0 }).length);
    expect(s.sparseBytes).toBe(1 + 3 * 2);
  });
});

describe('the model report holds the gzip of its own format', () => {
  const report = (format: ModelFormat) => staticReport(smallGraph, format, format === 'int8' || format === 'weight-int8' ? smallQuantized : undefined);

  it('float32 and int8 are the float32 and int8 encodings', () => {
    expect(report('float32').size).toMatchObject({ gzipBytes: report('float32').size.gzipFloat32Bytes, sparseBytes: report('float32').size.sparseFloat32Bytes });
    const i8 = report('int8').size;
    expect(i8).toMatchObject({ gzipBytes: i8.gzipInt8Bytes, sparseBytes: i8.sparseInt8Bytes });
  });

  it('float16 is the gzip of the weights as halves, about half the float32 gzip', () => {
    const size = report('float16').size;
    const values = weightTensors(smallGraph).flatMap((t) => [...t.values]);
    // The halves the report gzips decode to each weight rounded to half precision.
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // Search the 65,536 patterns for the nearest half (ties to the even one): slow, and independent.
      let best = 0;
      for (let b = 0; b < 0x7c00; b++) {
        const d = Math.abs(halfValue(b) - Math.abs(v)) - Math.abs(halfValue(best) - Math.abs(v));
        if (d < 0 || (d === 0 && (b & 1) === 0)) best = b;
      }
      bits[i] = (v < 0 ? 0x8000 : 0) | best;
    }
    expect(size.gzipBytes).toBe(gzipSync(bytesOf(bits), { level: 9, mtime: 0 }).length);
    expect(size.gzipBytes).toBeLessThan(size.gzipFloat32Bytes * 0.75);
  }, 60_000);
});

describe('the page, the CLI and the bench print the same figure for a float16 run', () => {
  afterEach(() => vi.restoreAllMocks());
  const full = (format: ModelFormat): ModelReport => ({
    ...staticReport(smallGraph, format),
    format,
    metrics: { count: 10, accuracy: 0.9, macroRecall: 0.9, macroPrecision: 0.9, macroF1: 0.9, perClassRecall: [], confusion: [] },
    latency: { backend: 'cpu', batch: 1, runs: 3, medianMs: 1, p95Ms: 1 },
    throughput: { imagesPerSecond: 100 } as ModelReport['throughput'],
    latencyNote: '',
  });
  const result: CompressResult = {
    modelId: 'small',
    dataset: 'mnist',
    backend: 'cpu',
    settings: {} as CompressResult['settings'],
    testRecords: { first: 0, count: 10 },
    caveats: [],
    before: full('float32'),
    after: full('float16'),
    stages: [],
    layers: [],
    flipped: [],
    flippedCount: 0,
    elapsedMs: 1,
    summary: '',
  };
  const gzip = result.after.size.gzipBytes;

  it('differs from the int8 and float32 figures the three printed before', () => {
    expect(gzip).not.toBe(result.after.size.gzipInt8Bytes);
    expect(gzip).not.toBe(result.after.size.gzipFloat32Bytes);
  });

  it('page: the size card’s gzip line', () => {
    expect(packedBytes(result.after).gzip).toBe(gzip);
    expect(sizeRows(result.before, result.after).find(([k]) => k === 'gzip')?.[2]).toBe(formatBytes(gzip));
  });

  it('CLI: the "size gzip" row', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    printCompressTable(result);
    const row = lines.find((l) => l.startsWith('size gzip'))!;
    expect(row.split(/\s{2,}/)[2]).toBe(`${(gzip / 1024).toFixed(1)} KB`);
  });

  it('bench: the row’s gzip bytes', () => {
    expect(rowOf('small', 'float16', { ...result, type: 'compress' } as CompressJobResult, 1).gzipBytes).toBe(gzip);
  });

  it('a run stored before the report had these figures gets the ones the page showed then', () => {
    const { gzipBytes: _g, sparseBytes: _s, ...oldSize } = result.after.size;
    const oldAfter = { ...result.after, format: 'int8' as const, size: oldSize };
    const raw = {
      v: 1,
      id: 'run-old-01',
      name: 'old',
      createdAt: 1,
      modelId: 'small',
      backend: 'auto',
      settings: { prune: {}, quant: {}, finetune: {} },
      origin: 'run',
      result: { ...result, after: oldAfter, before: { ...result.before, size: oldSize } },
    };
    const r = restoreRun(JSON.parse(JSON.stringify(raw))) as RunRecord;
    expect(r.result.after.size.gzipBytes).toBe(oldSize.gzipInt8Bytes);
    expect(r.result.before.size.sparseBytes).toBe(oldSize.sparseFloat32Bytes);
  });
});
