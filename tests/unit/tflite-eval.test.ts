/**
 * The TFLite evaluation job (src/engine/jobs/tflite-eval.ts) in Node, with a stand-in runtime:
 * the integer reference interpreter over the exported file (tflite-interpreter.ts) behind the
 * ModelRuntime seam. Checks the job's own logic: preprocessing and int8-input quantization, metrics,
 * agreement with a reference, latency fields, that every loaded model is disposed (also on error),
 * and its refusals. The real runtime is exercised in tests/e2e/tflite.spec.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { exportInt8Tflite } from '../../src/engine/export/tflite/export';
import { parseTflite } from '../../src/engine/export/tflite/reader';
import { TensorType } from '../../src/engine/export/tflite/schema';
import { evaluateTflite, timeTfliteModels } from '../../src/engine/jobs/tflite-eval';
import { preprocessInto } from '../../src/engine/preprocess';
import { quantize } from '../../src/engine/quantize/affine';
import { runInt8Graph } from '../../src/engine/quantize/int8-reference';
import type { LoadedModel, LoadOptions, ModelRuntime, OpTime } from '../../src/engine/runtime/model-runtime';
import type { BaselineIndex } from '../../src/engine/types';
import { dirReader, PUBLIC } from './node-files';
import { runTfliteReference, type Value } from './tflite-interpreter';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { smallGraph, smallQuantized } from '../fixtures/small-graph';

const index = JSON.parse(readFileSync(join(PUBLIC, 'models', 'index.json'), 'utf8')) as BaselineIndex;
const entry = index.models.find((m) => m.id === 'custom-cnn-mnist')!;
const read = dirReader(PUBLIC);
const N = 40;

const g = smallGraph;
const q = smallQuantized;

/** The integer reference behind the runtime seam, counting loads and disposals. */
class ReferenceRuntime implements ModelRuntime {
  loads = 0;
  disposals = 0;
  async info() {
    return { name: 'integer reference (test)', threads: 1, simd: false, multiThreading: false };
  }
  async load(bytes: Uint8Array): Promise<LoadedModel> {
    this.loads++;
    const sg = parseTflite(bytes).subgraphs[0];
    const tensor = (i: number) => ({ shape: sg.tensors[i].shape, type: sg.tensors[i].type === TensorType.INT8 ? ('int8' as const) : ('float32' as const) });
    const outName = sg.tensors[sg.outputs[0]].name;
    return {
      input: tensor(sg.inputs[0]),
      output: tensor(sg.outputs[0]),
      predict: async (x) => {
        const o = runTfliteReference(bytes, x).get(outName) as Value;
        return 'float' in o ? o.float : Float32Array.from(o.data);
      },
      dispose: () => void this.disposals++,
    };
  }
}

async function simulatedPredictions(): Promise<Uint8Array> {
  const d = getDataset(entry.dataset);
  const test = await loadDataset(d, 'test', (n) => read(`data/${d.id}/${n}`), { count: N });
  const out = new Uint8Array(N);
  const x = new Float32Array(784);
  for (let i = 0; i < N; i++) {
    preprocessInto(test.pixels.subarray(i * 784, (i + 1) * 784), 1, entry.preprocessing, x, 0);
    const logits = runInt8Graph(
      q,
      Int8Array.from(x, (e) => quantize(e, q.activations.in)),
      [1, 28, 28, 1],
    ).get('d')!.data;
    out[i] = logits.indexOf(Math.max(...logits));
  }
  return out;
}

describe('evaluateTflite', () => {
  it('evaluates float-I/O and int8-I/O files identically to the integer reference, and disposes them', async () => {
    const rt = new ReferenceRuntime();
    const reference = await simulatedPredictions();
    const r = await evaluateTflite(
      entry,
      [
        { label: 'int8', bytes: exportInt8Tflite(q).bytes },
        { label: 'int8 (int8 I/O)', bytes: exportInt8Tflite(q, { io: 'int8' }).bytes },
      ],
      rt,
      { limit: N, latencyRuns: 10, warmup: 2, reference: { label: 'runInt8Graph', predictions: reference } },
      { read },
    );
    expect(rt.loads).toBe(2);
    expect(rt.disposals).toBe(2);
    expect(r.testRecords).toEqual({ first: 0, count: N });
    expect(r.runtime.name).toBe('integer reference (test)');
    expect(r.note).toMatch(/runtime's own kernels/);
    for (const m of r.models) {
      expect(Array.from(m.predictions)).toEqual(Array.from(reference));
      expect(m.agreement).toEqual({ against: 'runInt8Graph', identical: N, fraction: 1 });
      expect(m.metrics.count).toBe(N);
      expect(m.latency).toMatchObject({ backend: 'tflite-wasm', batch: 1, runs: 10 });
      expect(m.latency.medianMs).toBeGreaterThan(0);
    }
    expect(r.models.map((m) => m.input.type)).toEqual(['float32', 'int8']);
    expect(r.int8Speedup).toBeUndefined(); // no float32 file
  }, 60_000);

  it('refuses a reference of the wrong length, too many files, and a model of the wrong input shape, disposing what it loaded', async () => {
    const rt = new ReferenceRuntime();
    const bytes = exportInt8Tflite(q).bytes;
    await expect(evaluateTflite(entry, [{ label: 'int8', bytes }], rt, { limit: 5, reference: { label: 'x', predictions: new Uint8Array(4) } }, { read })).rejects.toThrow(/4 predictions for 5 test records/);
    await expect(
      evaluateTflite(
        entry,
        Array.from({ length: 5 }, () => ({ label: 'int8', bytes })),
        rt,
        { limit: 5 },
        { read },
      ),
    ).rejects.toThrow(/1 to 4/);
    const wide = exportInt8Tflite(
      quantizeGraph({ ...g, nodes: [{ name: 'in', op: 'input', inputs: [], shape: [32, 32, 1] }, ...g.nodes.slice(1)] }, 'int8', 'per-channel', {
        in: { min: -1, max: 1 },
        c: { min: 0, max: 1 },
        gap: { min: 0, max: 1 },
        d: { min: -1, max: 1 },
      }),
    ).bytes;
    await expect(
      evaluateTflite(
        entry,
        [
          { label: 'int8', bytes },
          { label: 'wide', bytes: wide },
        ],
        rt,
        { limit: 5 },
        { read },
      ),
    ).rejects.toThrow(/takes input \[1,32,32,1\]/);
    expect(rt.disposals).toBe(rt.loads);
  });

  it('evaluates a batch-3 file row by row (the last batch padded), and profiles on a second copy without the warm-up runs', async () => {
    // Stand-in for a runtime with a profiler: runs each row of a batch on the batch-1 reference and
    // records two "ops" per invoke, cumulatively as TFLite's profiler does.
    const inner = new ReferenceRuntime();
    const single = exportInt8Tflite(q).bytes;
    const loads: LoadOptions[] = [];
    const rt: ModelRuntime = {
      info: () => inner.info(),
      async load(bytes, opts = {}) {
        loads.push(opts);
        const batch = parseTflite(bytes).subgraphs[0].tensors[parseTflite(bytes).subgraphs[0].inputs[0]].shape[0];
        const m = await inner.load(single);
        const records: OpTime[] = [];
        const predict = async (x: Float32Array | Int8Array, shape: number[]) => {
          expect(shape).toEqual([batch, 28, 28, 1]);
          const out = new Float32Array(batch * 10);
          for (let r = 0; r < batch; r++) out.set(await m.predict(x.subarray(r * 784, (r + 1) * 784), [1, 28, 28, 1]), r * 10);
          if (opts.profile) records.push({ op: 'CONV_2D', node: 'c', ms: 2 }, { op: 'MEAN', node: 'gap', ms: 0.5 });
          return out;
        };
        return { input: { shape: [batch, 28, 28, 1], type: 'float32' }, output: { shape: [batch, 10], type: 'float32' }, predict, profile: () => (opts.profile ? records.slice() : undefined), dispose: () => m.dispose() };
      },
    };
    const reference = await simulatedPredictions();
    const r = await evaluateTflite(
      entry,
      [{ label: 'int8', bytes: exportInt8Tflite(q, { batch: 3 }).bytes }],
      rt,
      { limit: N, latencyRuns: 10, warmup: 4, profileRuns: 6, reference: { label: 'runInt8Graph', predictions: reference } },
      { read },
    );
    const m = r.models[0];
    expect(N % 3).not.toBe(0);
    expect(Array.from(m.predictions)).toEqual(Array.from(reference));
    expect(m.latency.batch).toBe(3);
    expect(loads).toEqual([{}, { profile: true }]);
    expect(m.profile).toEqual({
      runs: 6,
      totalMsPerRun: 2.5,
      ops: [
        { op: 'CONV_2D', node: 'c', count: 1, msPerRun: 2 },
        { op: 'MEAN', node: 'gap', count: 1, msPerRun: 0.5 },
      ],
    });
    expect(inner.disposals).toBe(inner.loads);
  }, 60_000);

  it('times groups of files of any input shape on zero input, and disposes each group', async () => {
    const rt = new ReferenceRuntime();
    const bytes = exportInt8Tflite(q).bytes;
    const t = await timeTfliteModels(
      rt,
      [
        [{ label: 'a', bytes }],
        [
          { label: 'b', bytes },
          { label: 'c', bytes },
        ],
      ],
      { runs: 20, warmup: 10 },
    );
    expect(t.map((g) => g.map((x) => [x.label, x.runs]))).toEqual([
      [['a', 20]],
      [
        ['b', 20],
        ['c', 20],
      ],
    ]);
    expect(rt.loads).toBe(3);
    expect(rt.disposals).toBe(3);
    await expect(timeTfliteModels(rt, [[]], { runs: 1, warmup: 0 })).rejects.toThrow(/1 to 4/);
  }, 60_000);
});
