/**
 * Evaluates exported .tflite files on a real runtime (ModelRuntime: TFLite's wasm build in the
 * browser): top-1 accuracy and macro recall on the baseline's test records, agreement of the
 * predictions with a reference (the engine's simulated int8 predictions on the same records), and
 * batch-1 latency. These are measurements of the runtime's own kernels (real int8 for an int8
 * file), labelled apart from the tfjs figures of the compress job.
 *
 * Latency of several models is measured in interleaved blocks (A, B, A, B, ...) so that load from
 * other processes on a shared machine falls on all of them alike and their ratio stays meaningful.
 */
import type { RuntimeChoice } from './runtime-choice';
import { caveatsFor, getDataset } from '../data/registry';
import { loadDataset, type ReadFile } from '../data/load';
import { StudioError } from '../errors';
import { parseTflite } from '../export/tflite/reader';
import { TensorType } from '../export/tflite/schema';
import { classificationMetrics } from '../metrics/classification';
import { percentile } from '../metrics/latency';
import { preprocessInto } from '../preprocess';
import type { LoadedModel, ModelRuntime, OpTime, RuntimeInfo, RuntimeTensorInfo } from '../runtime/model-runtime';
import type { BaselineEntry, ClassificationMetrics, ImageDataset, LatencyStats } from '../types';
import { yieldToEventLoop } from '../yield';

export interface TfliteEvalModel {
  /** e.g. "int8", "float32". */
  label: string;
  bytes: Uint8Array;
}

export interface TfliteEvalSettings {
  /** Evaluate on the first `limit` of the baseline's test records (default: all). */
  limit?: number;
  /** Timed batch-1 runs per model (default 200) after `warmup` (default 20). */
  latencyRuns?: number;
  warmup?: number;
  /** Predictions to compare with, one per evaluated test record (e.g. simulated int8). */
  reference?: { label: string; predictions: Uint8Array };
  /**
   * Runs per model with the runtime's per-op profiler on (default 0: none), after the timed runs
   * and on a second copy of the model, so the profiler's cost never falls on the latency figures.
   */
  profileRuns?: number;
}

/** Mean time per run of one op type (or one op of the graph), from the runtime's profiler. */
export interface OpProfileRow {
  /** The runtime's op type ("CONV_2D", or "TfLiteXNNPackDelegate" for ops a delegate ran). */
  op: string;
  /** The runtime's kernel name (TFLite: the delegate's, e.g. "Convolution (NHWC, QS8) IGEMM"). */
  node: string;
  /** Executions per run. */
  count: number;
  msPerRun: number;
}

export interface OpProfile {
  runs: number;
  /** Sum of all ops per run: the interpreter's work without the invoke's own overhead. */
  totalMsPerRun: number;
  /** Grouped by (op, node), slowest first. */
  ops: OpProfileRow[];
}

export interface TfliteModelEvaluation {
  label: string;
  sizeBytes: number;
  input: RuntimeTensorInfo;
  output: RuntimeTensorInfo;
  metrics: ClassificationMetrics;
  predictions: Uint8Array;
  /** Records whose prediction equals the reference's. */
  agreement?: { against: string; identical: number; fraction: number };
  /** Batch-N latency where the file's input has batch N: divide by `latency.batch` for per image. */
  latency: LatencyStats;
  profile?: OpProfile;
  /** Whole evaluation loop, preprocessing and copies included. */
  imagesPerSecond: number;
  loadMs: number;
}

export interface TfliteEvalResult {
  modelId: string;
  dataset: string;
  runtime: RuntimeInfo;
  testRecords: { first: number; count: number };
  caveats: string[];
  models: TfliteModelEvaluation[];
  /** latency(float32) / latency(int8) where both labels are present. */
  int8Speedup?: number;
  note: string;
  elapsedMs: number;
  /** Where the runtime was chosen by measurement (runtime `measured`): both runtimes' figures and why this one ran the files. */
  runtimeChoice?: RuntimeChoice;
}

export interface TfliteEvalContext {
  read: ReadFile;
  signal?: AbortSignal;
  onProgress?: (stage: 'load-data' | 'tflite-evaluate' | 'tflite-latency', done: number, total: number) => void;
}

/**
 * Models loaded at once. They are all loaded for the interleaved latency runs, and the threaded
 * TFLite runtime has a pool of 8 pthreads that loaded models hold on to.
 */
const MAX_MODELS = 4;

interface Prepared {
  label: string;
  bytes: Uint8Array;
  model: LoadedModel;
  loadMs: number;
  /** Input quantization for int8-input models. */
  inputQuant?: { scale: number; zeroPoint: number };
}

/**
 * The input array a model takes for test records first.. (one per batch row; rows past the last
 * record repeat it), quantized for an int8 input.
 */
function inputFor(p: Prepared, ds: ImageDataset, entry: BaselineEntry, first: number): Float32Array | Int8Array {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const batch = p.model.input.shape[0];
  const x = new Float32Array(batch * per);
  for (let r = 0; r < batch; r++) {
    const i = Math.min(first + r, ds.count - 1);
    preprocessInto(ds.pixels.subarray(i * per, (i + 1) * per), c, entry.preprocessing, x, r * per);
  }
  if (!p.inputQuant) return x;
  const { scale, zeroPoint } = p.inputQuant;
  const q = new Int8Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const v = x[k] / scale;
    q[k] = Math.max(-128, Math.min(127, (v < 0 ? -Math.round(-v) : Math.round(v)) + zeroPoint));
  }
  return q;
}

function argmax(v: Float32Array, from: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (v[from + k] > v[from + best]) best = k;
  return best;
}

/** Mean per-run time of each (op, node) over `runs` profiled runs. */
function summarizeProfile(items: Array<{ op: string; node: string; ms: number }>, runs: number): OpProfile {
  const rows = new Map<string, OpProfileRow>();
  for (const it of items) {
    const key = `${it.op}\u0000${it.node}`;
    const row = rows.get(key) ?? { op: it.op, node: it.node, count: 0, msPerRun: 0 };
    row.count++;
    row.msPerRun += it.ms;
    rows.set(key, row);
  }
  const ops = [...rows.values()].map((r) => ({ ...r, count: r.count / runs, msPerRun: r.msPerRun / runs })).sort((a, b) => b.msPerRun - a.msPerRun);
  return { runs, totalMsPerRun: ops.reduce((a, r) => a + r.msPerRun, 0), ops };
}

async function prepare(runtime: ModelRuntime, m: TfliteEvalModel, expected: number[]): Promise<Prepared> {
  const parsed = parseTflite(m.bytes, `${m.label}.tflite`);
  const sg = parsed.subgraphs[0];
  const inT = sg.tensors[sg.inputs[0]];
  const t0 = performance.now();
  const model = await runtime.load(m.bytes);
  const loadMs = performance.now() - t0;
  if (model.input.shape.slice(1).join() !== expected.join()) {
    model.dispose();
    throw new StudioError('shape-mismatch', `${m.label}.tflite takes input [${model.input.shape.join(',')}], the dataset's images are [${expected.join(',')}].`, { label: m.label });
  }
  const inputQuant = inT.type === TensorType.INT8 && inT.quantization ? { scale: inT.quantization.scale[0], zeroPoint: inT.quantization.zeroPoint[0] } : undefined;
  return { label: m.label, bytes: m.bytes, model, loadMs, inputQuant };
}

export async function evaluateTflite(entry: BaselineEntry, models: TfliteEvalModel[], runtime: ModelRuntime, settings: TfliteEvalSettings, ctx: TfliteEvalContext): Promise<TfliteEvalResult> {
  const t0 = performance.now();
  if (models.length === 0 || models.length > MAX_MODELS) throw new StudioError('bad-settings', `Evaluate 1 to ${MAX_MODELS} .tflite files at a time, not ${models.length}.`, { count: models.length });
  const d = getDataset(entry.dataset);
  ctx.onProgress?.('load-data', 0, 1);
  const count = Math.min(entry.testData.count, settings.limit ?? Infinity);
  const ds = await loadDataset(d, 'test', (name) => ctx.read(`data/${d.id}/${name}`), { first: entry.testData.first, count });
  if (settings.reference && settings.reference.predictions.length !== ds.count) {
    throw new StudioError('bad-settings', `The reference "${settings.reference.label}" has ${settings.reference.predictions.length} predictions for ${ds.count} test records.`, { label: settings.reference.label });
  }
  const info = await runtime.info();
  const prepared: Prepared[] = [];
  try {
    for (const m of models) prepared.push(await prepare(runtime, m, ds.shape));
    const shapeOf = (p: Prepared) => p.model.input.shape;
    const results: Array<Omit<TfliteModelEvaluation, 'latency'>> = [];
    const total = ds.count * prepared.length;
    for (const [k, p] of prepared.entries()) {
      const predictions = new Uint8Array(ds.count);
      const te = performance.now();
      const batch = shapeOf(p)[0];
      const classes = p.model.output.shape[p.model.output.shape.length - 1];
      for (let i = 0; i < ds.count; i += batch) {
        if (i % 64 < batch) {
          await yieldToEventLoop();
          ctx.signal?.throwIfAborted();
          ctx.onProgress?.('tflite-evaluate', k * ds.count + i, total);
        }
        const y = await p.model.predict(inputFor(p, ds, entry, i), shapeOf(p));
        for (let r = 0; r < batch && i + r < ds.count; r++) predictions[i + r] = argmax(y, r * classes, classes);
      }
      const imagesPerSecond = (ds.count * 1000) / (performance.now() - te);
      const ref = settings.reference;
      let agreement: TfliteModelEvaluation['agreement'];
      if (ref) {
        let same = 0;
        for (let i = 0; i < ds.count; i++) if (predictions[i] === ref.predictions[i]) same++;
        agreement = { against: ref.label, identical: same, fraction: ds.count ? same / ds.count : 1 };
      }
      results.push({
        label: p.label,
        sizeBytes: p.bytes.length,
        input: p.model.input,
        output: p.model.output,
        metrics: classificationMetrics(ds.labels, predictions, ds.numClasses),
        predictions,
        agreement,
        imagesPerSecond,
        loadMs: p.loadMs,
      });
    }
    ctx.onProgress?.('tflite-evaluate', total, total);

    // Latency of one invoke at the file's batch size, interleaved in blocks of 10 runs.
    const runs = settings.latencyRuns ?? 200;
    const warmup = settings.warmup ?? 20;
    const inputs = prepared.map((p) => inputFor(p, ds, entry, 0));
    const times: number[][] = prepared.map(() => []);
    const block = 10;
    for (let done = -warmup; done < runs; done += block) {
      await yieldToEventLoop();
      ctx.signal?.throwIfAborted();
      ctx.onProgress?.('tflite-latency', Math.max(0, done), runs);
      for (const [k, p] of prepared.entries()) {
        for (let r = 0; r < block; r++) {
          const ts = performance.now();
          await p.model.predict(inputs[k], shapeOf(p));
          if (done + r >= 0 && done + r < runs) times[k].push(performance.now() - ts);
        }
      }
    }
    const profiles: Array<OpProfile | undefined> = [];
    const profileRuns = settings.profileRuns ?? 0;
    for (const [k, p] of prepared.entries()) {
      if (profileRuns <= 0) break;
      await yieldToEventLoop();
      ctx.signal?.throwIfAborted();
      const model = await runtime.load(p.bytes, { profile: true });
      try {
        for (let r = 0; r < Math.min(10, warmup); r++) await model.predict(inputs[k], shapeOf(p));
        // TFLite's profiler returns every record since the load, oldest first: drop the warm-up's.
        const skip = model.profile?.()?.length ?? 0;
        for (let r = 0; r < profileRuns; r++) await model.predict(inputs[k], shapeOf(p));
        const items: OpTime[] = model.profile?.()?.slice(skip) ?? [];
        profiles[k] = items.length ? summarizeProfile(items, profileRuns) : undefined;
      } finally {
        model.dispose();
      }
    }
    const evaluations: TfliteModelEvaluation[] = results.map((r, k) => {
      const sorted = times[k].sort((a, b) => a - b);
      const latency: LatencyStats = { backend: 'tflite-wasm', batch: shapeOf(prepared[k])[0], runs: sorted.length, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
      return { ...r, latency, ...(profiles[k] ? { profile: profiles[k] } : {}) };
    });
    const i8 = evaluations.find((e) => e.label === 'int8');
    const f32 = evaluations.find((e) => e.label === 'float32');
    return {
      modelId: entry.id,
      dataset: d.id,
      runtime: info,
      testRecords: { first: entry.testData.first, count: ds.count },
      caveats: caveatsFor(d, 'test', entry.testData.first, ds.count).map((c) => c.text),
      models: evaluations,
      int8Speedup: i8 && f32 ? f32.latency.medianMs / i8.latency.medianMs : undefined,
      note: `Measured on ${info.name}, ${info.threads} thread(s), batch 1: the runtime's own kernels (real int8 for an int8 file), not tfjs.`,
      elapsedMs: performance.now() - t0,
    };
  } finally {
    for (const p of prepared) p.model.dispose();
  }
}

export interface TfliteTiming {
  label: string;
  medianMs: number;
  runs: number;
}

/**
 * Median invoke time of .tflite files of any input shape, on zero input, without reading the
 * output: for timing pieces of a
 * model (e.g. one operator cut out of it) where TFLite's profiler sees only the one XNNPACK
 * delegate node. The files of one group are loaded together and timed interleaved in blocks of 10;
 * groups run one after another, each disposed before the next loads (the threaded runtime holds
 * a pthread per loaded model).
 */
export async function timeTfliteModels(runtime: ModelRuntime, groups: TfliteEvalModel[][], settings: { runs: number; warmup: number }, signal?: AbortSignal): Promise<TfliteTiming[][]> {
  const out: TfliteTiming[][] = [];
  for (const group of groups) {
    if (group.length === 0 || group.length > MAX_MODELS) throw new StudioError('bad-settings', `Time 1 to ${MAX_MODELS} .tflite files at a time, not ${group.length}.`, { count: group.length });
    const loaded: LoadedModel[] = [];
    try {
      for (const m of group) loaded.push(await runtime.load(m.bytes));
      const inputs = loaded.map((m) => {
        const n = m.input.shape.reduce((a, b) => a * b, 1);
        return m.input.type === 'int8' ? new Int8Array(n) : new Float32Array(n);
      });
      const times: number[][] = loaded.map(() => []);
      for (let done = -settings.warmup; done < settings.runs; done += 10) {
        await yieldToEventLoop();
        signal?.throwIfAborted();
        for (const [k, m] of loaded.entries()) {
          for (let r = 0; r < 10; r++) {
            const ts = performance.now();
            if (m.run) await m.run(inputs[k], m.input.shape);
            else await m.predict(inputs[k], m.input.shape);
            if (done + r >= 0 && done + r < settings.runs) times[k].push(performance.now() - ts);
          }
        }
      }
      out.push(
        group.map((m, k) => ({
          label: m.label,
          medianMs: percentile(
            times[k].sort((a, b) => a - b),
            50,
          ),
          runs: times[k].length,
        })),
      );
    } finally {
      for (const m of loaded) m.dispose();
    }
  }
  return out;
}
