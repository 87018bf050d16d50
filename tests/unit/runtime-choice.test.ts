/**
 * The runtime chosen by measurement (src/engine/jobs/runtime-choice.ts), on fake runtimes and a
 * fake clock: each fake invoke advances the clock by a cost set per (runtime, file), so the medians,
 * the interleaving and the choice are exact and independent of this machine's load.
 */
import { describe, expect, it } from 'vitest';
import { chooseRuntimeByTiming, timeInterleaved } from '../../src/engine/jobs/runtime-choice';
import type { LoadedModel, ModelRuntime } from '../../src/engine/runtime/model-runtime';

const INT8 = new Uint8Array([8]);
const FLOAT32 = new Uint8Array([32]);

function fakes(clock: { t: number; log: string[] }) {
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
  it('takes the median of the timed invokes after the warm-up, in blocks round-robin', async () => {
    const clock = { t: 0, log: [] as string[] };
    const f = fakes(clock);
    const rt = f.runtime('a', [1, 3, 2], [5]);
    const [i8, f32] = [await rt.load(INT8), await rt.load(FLOAT32)];
    const medians = await timeInterleaved([i8, f32], { runs: 6, warmup: 2, block: 2, now: () => clock.t });
    // int8 costs cycle 1,3,2: warm-up takes 1,3; timed 2,1,3,2,1,3 -> sorted 1,1,2,2,3,3 -> lower median 2.
    expect(medians).toEqual([2, 5]);
    expect(clock.log.slice(0, 6)).toEqual(['a int8', 'a int8', 'a float32', 'a float32', 'a int8', 'a int8']);
  });
});

describe('chooseRuntimeByTiming', () => {
  it('chooses the runtime whose int8 file is fastest, keeps both runtimes\' figures, and frees every model', async () => {
    const clock = { t: 0, log: [] as string[] };
    const f = fakes(clock);
    // LiteRT.js has the faster float32 but the slower int8 (a CPU without AVX-VNNI).
    const choice = await chooseRuntimeByTiming(
      [
        { id: 'litert', runtime: f.runtime('LiteRT.js', [0.96], [1.28]) },
        { id: 'tfjs-tflite', runtime: f.runtime('tfjs-tflite', [0.855], [1.255]) },
      ],
      { int8: INT8, float32: FLOAT32 },
      { runs: 20, warmup: 10, now: () => clock.t },
    );
    expect(choice.chosen).toBe('tfjs-tflite');
    expect(choice.timings.map((t) => t.id)).toEqual(['litert', 'tfjs-tflite']);
    // (clock differences carry float rounding of the running sum, hence toBeCloseTo)
    const expected = [[0.96, 1.28], [0.855, 1.255]];
    choice.timings.forEach((t, i) => {
      expect(t.int8Ms).toBeCloseTo(expected[i][0], 9);
      expect(t.float32Ms).toBeCloseTo(expected[i][1], 9);
      expect(t.int8Speedup).toBeCloseTo(expected[i][1] / expected[i][0], 9);
    });
    expect(choice.reason).toBe('tfjs-tflite runs the int8 file in 0.855 ms against 0.960 ms on litert (median of 20 batch-1 invokes each, interleaved, in this browser).');
    expect(f.disposed()).toBe(4);
  });

  it('leaves out a runtime that cannot load a file, and says why', async () => {
    const clock = { t: 0, log: [] as string[] };
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
    expect(choice.reason).toMatch(/not timed: litert: Element type INT8 is not supported\.$/);
    await expect(chooseRuntimeByTiming([], { int8: INT8, float32: FLOAT32 })).rejects.toThrow(/No runtime/);
  });
});
