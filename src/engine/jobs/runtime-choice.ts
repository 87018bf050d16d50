/**
 * The runtime chosen by measurement (issue 22, part 2): times the int8 and the float32 .tflite of a
 * run on each available runtime, in the user's own browser, and picks the runtime whose int8 file
 * runs fastest. Why measure instead of fixing one default: which runtime is faster for int8 depends
 * on the CPU. LiteRT.js' XNNPACK uses relaxed-SIMD int8 kernels only where the engine's relaxed dot
 * product does not saturate (x64 with AVX-VNNI, Arm with a dot product); elsewhere it falls back to
 * SIMD128 int8 kernels, and tfjs-tflite can be the faster one (docs/DEPLOY.md).
 *
 * All files of all runtimes are loaded at once and invoked round-robin, one invoke each by default
 * (LiteRT.js int8, LiteRT.js float32, tfjs-tflite int8, ..., then again), so that load from other
 * processes falls on every (runtime, file) pair alike; each pair reports the median of its timed
 * invokes after the untimed warm-up. The whole timing stops at `maxMs` (a user waits for it) with
 * the rounds done so far, the same number for every pair. Inputs are zeros of the file's input
 * type: the kernels do the same work on any input.
 */
import { TFLITE_RUNTIMES, type RuntimeId } from '../choices/deploy';
import { StudioError } from '../errors';
import { percentile } from '../metrics/latency';
import type { LoadedModel, ModelRuntime } from '../runtime/model-runtime';
import { yieldToEventLoop } from '../yield';

export interface RuntimeCandidate {
  id: RuntimeId;
  runtime: ModelRuntime;
}

export interface RuntimeTiming {
  id: RuntimeId;
  /** The runtime's own description (RuntimeInfo.name). */
  name: string;
  /** Median ms of the int8 file; absent where the run has no int8 file. */
  int8Ms?: number;
  float32Ms: number;
  /** float32Ms / int8Ms on this runtime. */
  int8Speedup?: number;
  /** Timed invokes of each file. */
  runs: number;
}

export interface RuntimeChoice {
  chosen: RuntimeId;
  /** Which file's median decided: int8, or float32 where the run exported no int8 file. */
  decidedBy: 'int8' | 'float32';
  /** The runtimes timed, in the candidates' order. */
  timings: RuntimeTiming[];
  /** Runtimes that could not load a file, with the runtime's message. */
  skipped: Array<{ id: RuntimeId; message: string }>;
  /** True where `maxMs` stopped the timing before `runs`. */
  capped: boolean;
  /** One sentence: which runtime, and the figures that decided it. */
  reason: string;
}

export interface ChoiceOptions {
  /** Timed invokes per file (default 200). */
  runs?: number;
  /** Untimed invokes per file first (default 20). */
  warmup?: number;
  /** Consecutive invokes of one file before the next (default 1: strictly interleaved). */
  block?: number;
  /** The timing stops after this many ms, warm-up included (default 10,000); one timed round always runs. */
  maxMs?: number;
  signal?: AbortSignal;
  /** Timed invokes done so far of `total` per file (after each round). */
  onProgress?: (done: number, total: number) => void;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

export const CHOICE_DEFAULTS = { runs: 200, warmup: 20, block: 1, maxMs: 10_000 } as const;

export interface InterleavedTimes {
  /** Per model, the median ms of its timed invokes. */
  medians: number[];
  /** Timed invokes per model (the same for all; fewer than asked where the cap stopped it). */
  runs: number;
  capped: boolean;
}

/** Per model, the median ms of its timed invokes, all models interleaved round by round. */
export async function timeInterleaved(models: LoadedModel[], opts: ChoiceOptions = {}): Promise<InterleavedTimes> {
  const runs = opts.runs ?? CHOICE_DEFAULTS.runs;
  const warmup = opts.warmup ?? CHOICE_DEFAULTS.warmup;
  const block = Math.max(1, opts.block ?? CHOICE_DEFAULTS.block);
  const maxMs = opts.maxMs ?? CHOICE_DEFAULTS.maxMs;
  const now = opts.now ?? (() => performance.now());
  const inputs = models.map((m) => {
    const n = m.input.shape.reduce((a, b) => a * b, 1);
    return m.input.type === 'int8' ? new Int8Array(n) : new Float32Array(n);
  });
  const times: number[][] = models.map(() => []);
  const start = now();
  let warm = 0;
  let capped = false;
  while (times[0].length < runs) {
    await yieldToEventLoop();
    opts.signal?.throwIfAborted();
    const timed = warm >= warmup;
    // A round: `block` invokes (fewer at the end of the warm-up or of the runs) of each model in turn.
    const n = timed ? Math.min(block, runs - times[0].length) : Math.min(block, warmup - warm);
    for (const [k, m] of models.entries()) {
      for (let r = 0; r < n; r++) {
        const t = now();
        if (m.run) await m.run(inputs[k], m.input.shape);
        else await m.predict(inputs[k], m.input.shape);
        if (timed) times[k].push(now() - t);
      }
    }
    if (!timed) warm += n;
    else opts.onProgress?.(times[0].length, runs);
    if (now() - start >= maxMs && times[0].length < runs) {
      // Past the cap: skip what is left of the warm-up, and stop once a round has been timed.
      if (times[0].length > 0) {
        capped = true;
        break;
      }
      warm = warmup;
    }
  }
  return {
    medians: times.map((t) =>
      percentile(
        t.sort((a, b) => a - b),
        50,
      ),
    ),
    runs: times[0].length,
    capped,
  };
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 3 : 1)} ms`;
const capText = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(0)} s` : `${v} ms`);

/**
 * Times `files` on every candidate runtime and chooses the one with the fastest int8 file (the
 * fastest float32 file where there is no int8 file). On equal medians the earlier candidate wins:
 * candidates come in the table's order, so a tie keeps the table's first runtime. A runtime that
 * cannot load a file (e.g. LiteRT.js and int8 I/O) is left out, and the reason kept.
 */
export async function chooseRuntimeByTiming(candidates: RuntimeCandidate[], files: { int8?: Uint8Array; float32: Uint8Array }, opts: ChoiceOptions = {}): Promise<RuntimeChoice> {
  if (candidates.length === 0) throw new StudioError('bad-settings', 'No runtime to choose from.', {});
  const loaded: Array<{ id: RuntimeId; name: string; models: LoadedModel[] }> = [];
  const skipped: RuntimeChoice['skipped'] = [];
  const order = files.int8 ? [files.int8, files.float32] : [files.float32];
  try {
    for (const c of candidates) {
      const models: LoadedModel[] = [];
      try {
        const name = (await c.runtime.info()).name;
        for (const bytes of order) models.push(await c.runtime.load(bytes));
        loaded.push({ id: c.id, name, models });
      } catch (e) {
        for (const m of models) m.dispose();
        skipped.push({ id: c.id, message: (e as Error).message });
      }
      opts.signal?.throwIfAborted();
    }
    if (loaded.length === 0) throw new StudioError('bad-model', `No runtime could load the files: ${skipped.map((s) => `${s.id}: ${s.message}`).join('; ')}`, {});
    const t = await timeInterleaved(
      loaded.flatMap((l) => l.models),
      opts,
    );
    const per = order.length;
    const timings: RuntimeTiming[] = loaded.map((l, i) => {
      const f32 = t.medians[per * i + per - 1];
      const i8 = files.int8 ? t.medians[per * i] : undefined;
      return { id: l.id, name: l.name, ...(i8 !== undefined ? { int8Ms: i8, int8Speedup: f32 / i8 } : {}), float32Ms: f32, runs: t.runs };
    });
    const decidedBy = files.int8 ? 'int8' : 'float32';
    const key = (x: RuntimeTiming) => (decidedBy === 'int8' ? x.int8Ms! : x.float32Ms);
    const best = timings.reduce((a, x) => (key(x) < key(a) ? x : a));
    const label = (id: RuntimeId) => TFLITE_RUNTIMES.get(id).name;
    const others = timings.filter((x) => x !== best).map((x) => `${ms(key(x))} on ${label(x.id)}`);
    const tie = timings.some((x) => x !== best && key(x) === key(best));
    const reason =
      `${label(best.id)}: ${decidedBy} ${ms(key(best))}` +
      (others.length ? ` vs ${others.join(', ')}` : ', the only runtime that loaded the files') +
      `, median of ${t.runs} interleaved batch-1 invokes each in this browser` +
      (t.capped ? ` (stopped at the ${capText(opts.maxMs ?? CHOICE_DEFAULTS.maxMs)} cap)` : '') +
      (tie ? `; a tie goes to ${label(best.id)}, first in the table` : '') +
      (decidedBy === 'float32' ? '; the run has no int8 file, so float32 decided' : '') +
      (skipped.length ? `; not timed: ${skipped.map((s) => `${label(s.id)} (${s.message})`).join('; ')}` : '') +
      '.';
    return { chosen: best.id, decidedBy, timings, skipped, capped: t.capped, reason };
  } finally {
    for (const l of loaded) for (const m of l.models) m.dispose();
  }
}
