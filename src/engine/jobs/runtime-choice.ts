/**
 * The runtime chosen by measurement (issue 22, part 2): times the int8 and the float32 .tflite of a
 * run on each available runtime, in the user's own browser, and picks the runtime whose int8 file
 * runs fastest. Why measure instead of fixing one default: which runtime is faster for int8 depends
 * on the CPU. LiteRT.js' XNNPACK uses relaxed-SIMD int8 kernels only where the engine's relaxed dot
 * product does not saturate (x64 with AVX-VNNI, Arm with a dot product); elsewhere it falls back to
 * SIMD128 int8 kernels, and tfjs-tflite can be the faster one (README "Real int8 on TFLite").
 *
 * All files of all runtimes are loaded at once and invoked round-robin in blocks of `block`
 * invokes, so that load from other processes falls on every (runtime, file) pair alike; each pair
 * reports the median of its `runs` timed invokes after `warmup` untimed ones. Inputs are zeros of
 * the file's input type: the kernels do the same work on any input.
 */
import { StudioError } from '../errors';
import { percentile } from '../metrics/latency';
import type { LoadedModel, ModelRuntime, RuntimeId } from '../runtime/model-runtime';
import { yieldToEventLoop } from '../yield';

export interface RuntimeCandidate {
  id: RuntimeId;
  runtime: ModelRuntime;
}

export interface RuntimeTiming {
  id: RuntimeId;
  /** The runtime's own description (RuntimeInfo.name). */
  name: string;
  int8Ms: number;
  float32Ms: number;
  /** float32Ms / int8Ms on this runtime. */
  int8Speedup: number;
  runs: number;
}

export interface RuntimeChoice {
  chosen: RuntimeId;
  timings: RuntimeTiming[];
  /** One sentence: which runtime, and the figures that decided it. */
  reason: string;
}

export interface ChoiceOptions {
  runs?: number;
  warmup?: number;
  block?: number;
  signal?: AbortSignal;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/** Per model, the median ms of `runs` invokes, interleaved in blocks across all models. */
export async function timeInterleaved(models: LoadedModel[], opts: ChoiceOptions = {}): Promise<number[]> {
  const runs = opts.runs ?? 300;
  const warmup = opts.warmup ?? 30;
  const block = opts.block ?? 10;
  const now = opts.now ?? (() => performance.now());
  const inputs = models.map((m) => {
    const n = m.input.shape.reduce((a, b) => a * b, 1);
    return m.input.type === 'int8' ? new Int8Array(n) : new Float32Array(n);
  });
  const times: number[][] = models.map(() => []);
  for (let done = -warmup; done < runs; done += block) {
    await yieldToEventLoop();
    opts.signal?.throwIfAborted();
    for (const [k, m] of models.entries()) {
      for (let r = 0; r < block; r++) {
        const t = now();
        if (m.run) await m.run(inputs[k], m.input.shape);
        else await m.predict(inputs[k], m.input.shape);
        if (done + r >= 0 && done + r < runs) times[k].push(now() - t);
      }
    }
  }
  return times.map((t) => percentile(t.sort((a, b) => a - b), 50));
}

/**
 * Times `files` on every candidate runtime and chooses the one with the fastest int8 file. A
 * runtime that cannot load a file (e.g. LiteRT.js and int8 I/O) is left out, and the reason kept.
 */
export async function chooseRuntimeByTiming(candidates: RuntimeCandidate[], files: { int8: Uint8Array; float32: Uint8Array }, opts: ChoiceOptions = {}): Promise<RuntimeChoice> {
  if (candidates.length === 0) throw new StudioError('bad-settings', 'No runtime to choose from.', {});
  const loaded: Array<{ id: RuntimeId; name: string; int8: LoadedModel; float32: LoadedModel }> = [];
  const skipped: string[] = [];
  try {
    for (const c of candidates) {
      let int8: LoadedModel | undefined;
      try {
        const name = (await c.runtime.info()).name;
        int8 = await c.runtime.load(files.int8);
        loaded.push({ id: c.id, name, int8, float32: await c.runtime.load(files.float32) });
      } catch (e) {
        int8?.dispose();
        skipped.push(`${c.id}: ${(e as Error).message}`);
      }
    }
    if (loaded.length === 0) throw new StudioError('bad-model', `No runtime could load the files: ${skipped.join('; ')}`, {});
    const medians = await timeInterleaved(loaded.flatMap((l) => [l.int8, l.float32]), opts);
    const timings = loaded.map((l, i) => ({ id: l.id, name: l.name, int8Ms: medians[2 * i], float32Ms: medians[2 * i + 1], int8Speedup: medians[2 * i + 1] / medians[2 * i], runs: opts.runs ?? 300 }));
    const best = timings.reduce((a, t) => (t.int8Ms < a.int8Ms ? t : a));
    const others = timings.filter((t) => t !== best).map((t) => `${t.int8Ms.toFixed(3)} ms on ${t.id}`);
    const reason =
      `${best.id} runs the int8 file in ${best.int8Ms.toFixed(3)} ms` +
      (others.length ? ` against ${others.join(', ')}` : '') +
      ` (median of ${best.runs} batch-1 invokes each, interleaved, in this browser)` +
      (skipped.length ? `; not timed: ${skipped.join('; ')}` : '') +
      '.';
    return { chosen: best.id, timings, reason };
  } finally {
    for (const l of loaded) {
      l.int8.dispose();
      l.float32.dispose();
    }
  }
}
