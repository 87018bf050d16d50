/**
 * The runtime chosen by measurement (src/engine/jobs/runtime-choice.ts), on fake runtimes and a
 * fake clock: each fake invoke advances the clock by a cost set per (runtime, file), so the medians,
 * the interleaving, the cap and the choice are exact and independent of this machine's load.
 */
import { describe, expect, it } from 'vitest';
import { chooseRuntimeByTiming, timeInterleaved } from '../../src/engine/jobs/runtime-choice';
import type { LoadedModel, ModelRuntime } from '../../src/engine/runtime/model-runtime';

const INT8 = new Uint8Array([8]);
const FLOAT32 = new Uint8Array([32]);

type Clock = { t: number; log: string[] };

function fakes(clock: Clock) {
  let disposed = 0;
  const model = (label: string, costs: number[]): LoadedModel => {
    let i = 0;
    return {
      input: { shape: [1, 2, 2, 1], type: 'float32' },
      output: { shape: [1, 10], type: 'float32' },
      async predict() {
        throw new Error('timing must use run()');
      },
      async run(x) {
        expect(x).toEqual(new Float32Array(4));
        clock.log.push(label);
        clock.t += costs[i++ % costs.length];
      },
      dispose: () => disposed++,
    };
  };
  const runtime = (name: string, int8Costs: number[] | Error, float32Costs: number[]): ModelRuntime => ({
    async info() {
      return { name, threads: 1, simd: true, multiThreading: false };
    },
    async load(bytes) {
      if (bytes === INT8 && int8Costs instanceof Error) throw int8Costs;
      return bytes === INT8 ? model(`${name} int8`, int8Costs as number[]) : model(`${name} float32`, float32Costs);
    },
  });
  return { runtime, disposed: () => disposed };
}

describe('timeInterleaved', () => {
  it('interleaves one invoke per model by default and takes the lower median of the timed invokes after the warm-up', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const rt = f.runtime('a', [1, 3, 2], [5]);
    const [i8, f32] = [await rt.load(INT8), await rt.load(FLOAT32)];
    const t = await timeInterleaved([i8, f32], { runs: 6, warmup: 2, now: () => clock.t });
    // int8 costs cycle 1,3,2: warm-up takes 1,3; timed 2,1,3,2,1,3 -> sorted 1,1,2,2,3,3 -> lower median 2.
    expect(t).toEqual({ medians: [2, 5], runs: 6, capped: false });
    expect(clock.log.slice(0, 4)).toEqual(['a int8', 'a float32', 'a int8', 'a float32']);
    expect(clock.log).toHaveLength(16);
  });

  it('runs blocks of `block` invokes per model when asked, cutting the last block to the runs left', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const rt = f.runtime('a', [1], [2]);
    const t = await timeInterleaved([await rt.load(INT8), await rt.load(FLOAT32)], { runs: 5, warmup: 0, block: 2, now: () => clock.t });
    expect(t.runs).toBe(5);
    expect(clock.log).toEqual(['a int8', 'a int8', 'a float32', 'a float32', 'a int8', 'a int8', 'a float32', 'a float32', 'a int8', 'a float32']);
  });

  it('stops at the cap with whole rounds, reports progress per round, and always times one round', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const rt = f.runtime('a', [1], [3]);
    const progress: number[] = [];
    // 4 ms a round; 2 warm-up rounds (8 ms), then timed rounds until the clock reaches 20 ms: 3 of them.
    const t = await timeInterleaved([await rt.load(INT8), await rt.load(FLOAT32)], { runs: 100, warmup: 2, maxMs: 20, now: () => clock.t, onProgress: (d) => progress.push(d) });
    expect(t).toEqual({ medians: [1, 3], runs: 3, capped: true });
    expect(progress).toEqual([1, 2, 3]);
    // A cap shorter than the warm-up skips the rest of the warm-up but still times one round.
    const slow = f.runtime('b', [50], [50]);
    const clock2 = clock;
    clock2.log = [];
    const u = await timeInterleaved([await slow.load(INT8), await slow.load(FLOAT32)], { runs: 100, warmup: 10, maxMs: 10, now: () => clock2.t });
    expect(u).toEqual({ medians: [50, 50], runs: 1, capped: true });
    expect(clock2.log).toHaveLength(4);
  });

  it('throws the abort reason between rounds', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const rt = f.runtime('a', [1], [1]);
    const ac = new AbortController();
    const run = timeInterleaved([await rt.load(INT8), await rt.load(FLOAT32)], { runs: 1000, warmup: 0, signal: ac.signal, now: () => clock.t, onProgress: (d) => d === 3 && ac.abort(new Error('cancelled by test')) });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(clock.log).toHaveLength(6);
  });
});

describe('chooseRuntimeByTiming', () => {
  it("chooses the runtime whose int8 file is fastest, keeps both runtimes' figures, says why, and frees every model", async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    // LiteRT.js has the faster float32 but the slower int8 (a CPU without AVX-VNNI).
    const choice = await chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js 2.5.3', [0.96], [1.2]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite 0.0.1', [0.855], [1.255]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 20, warmup: 10, now: () => clock.t },
    );
    expect(clock.log.slice(0, 4)).toEqual(['LiteRT.js 2.5.3 int8', 'LiteRT.js 2.5.3 float32', 'tfjs-tflite 0.0.1 int8', 'tfjs-tflite 0.0.1 float32']);
    expect(choice.chosen).toBe('tfjs-tflite');
    expect(choice.decidedBy).toBe('int8');
    expect(choice.capped).toBe(false);
    expect(choice.timings.map((t) => [t.id, t.name, t.runs])).toEqual([
      ['litert', 'LiteRT.js 2.5.3', 20],
      ['tfjs-tflite', 'tfjs-tflite 0.0.1', 20],
    ]);
    // (clock differences carry float rounding of the running sum, hence toBeCloseTo)
    const expected = [
      [0.96, 1.2],
      [0.855, 1.255],
    ];
    choice.timings.forEach((t, i) => {
      expect(t.int8Ms).toBeCloseTo(expected[i][0], 9);
      expect(t.float32Ms).toBeCloseTo(expected[i][1], 9);
      expect(t.int8Speedup).toBeCloseTo(expected[i][1] / expected[i][0], 9);
    });
    expect(choice.reason).toBe('tfjs-tflite: int8 0.855 ms vs 0.960 ms on LiteRT.js, median of 20 interleaved batch-1 invokes each in this browser.');
    expect(f.disposed()).toBe(4);
  });

  it('on equal int8 medians keeps the first candidate (the table order), and says so', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const choice = await chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js', [2], [9]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [2], [1]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 4, warmup: 0, now: () => clock.t },
    );
    expect(choice.chosen).toBe('litert');
    expect(choice.reason).toContain('; a tie goes to LiteRT.js, first in the table');
    const swapped = await chooseRuntimeByTiming(
      [
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [2], [1]) },
        { id: 'litert', runtime: f.runtime('LiteRT.js', [2], [9]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 4, warmup: 0, now: () => clock.t },
    );
    expect(swapped.chosen).toBe('tfjs-tflite');
  });

  it('leaves out a runtime that cannot load a file, and says why', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const choice = await chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js', new Error('Element type INT8 is not supported'), [1]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [2], [3]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 10, warmup: 0, now: () => clock.t },
    );
    expect(choice.chosen).toBe('tfjs-tflite');
    expect(choice.skipped).toEqual([{ id: 'litert', message: 'Element type INT8 is not supported' }]);
    expect(choice.timings).toHaveLength(1);
    expect(choice.reason).toBe('tfjs-tflite: int8 2.000 ms, the only runtime that loaded the files, median of 10 interleaved batch-1 invokes each in this browser; not timed: LiteRT.js (Element type INT8 is not supported).');
    await expect(chooseRuntimeByTiming([], { int8: INT8, float32: FLOAT32 })).rejects.toThrow(/No runtime/);
  });

  it('decides by float32 where the run has no int8 file, and names the cap when it stopped the timing', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const choice = await chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js', [1], [3]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [1], [4]) },
      ],
      { float32: FLOAT32 },
      { runs: 100, warmup: 0, maxMs: 14, now: () => clock.t },
    );
    // 7 ms a round (float32 files only): two rounds reach the 14 ms cap.
    expect(clock.log.every((l) => l.endsWith('float32'))).toBe(true);
    expect(choice).toMatchObject({ chosen: 'litert', decidedBy: 'float32', capped: true });
    expect(choice.timings[0].int8Ms).toBeUndefined();
    expect(choice.reason).toBe('LiteRT.js: float32 3.000 ms vs 4.000 ms on tfjs-tflite, median of 2 interleaved batch-1 invokes each in this browser (stopped at the 14 ms cap); the run has no int8 file, so float32 decided.');
  });

  it('a cancel during the timing frees every loaded model', async () => {
    const clock: Clock = { t: 0, log: [] };
    const f = fakes(clock);
    const ac = new AbortController();
    const run = chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js', [1], [1]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [1], [1]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 1000, warmup: 0, signal: ac.signal, now: () => clock.t, onProgress: (d) => d === 2 && ac.abort(new Error('cancelled')) },
    );
    await expect(run).rejects.toThrow('cancelled');
    expect(f.disposed()).toBe(4);
  });
});
