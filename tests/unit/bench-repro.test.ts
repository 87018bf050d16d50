/**
 * bench/lib/repro.ts: the median and spread of repeats, and the under-load verdict, checked on
 * hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import { formatSpread, judgeLoad, type LoadSample, MIN_REPEATS, repeatRuns, summarise } from '../../bench/lib/repro';

const sample = (load1: number, cpu?: LoadSample['cpu']): LoadSample => ({ atIso: '2026-12-01T00:00:00.000Z', load1, load5: load1, load15: load1, ...(cpu ? { cpu } : {}) });

describe('summarise', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(summarise([3, 1, 2])).toMatchObject({ n: 3, median: 2, min: 1, max: 3, spreadPct: 100 });
    expect(summarise([4, 1, 2, 3]).median).toBe(2.5);
  });
  it('drops NaN (a file a runtime did not run) and reports an empty summary as NaN', () => {
    expect(summarise([NaN, 2, 4])).toMatchObject({ n: 2, median: 3, spreadPct: (2 / 3) * 100 });
    expect(Number.isNaN(summarise([NaN]).median)).toBe(true);
    expect(formatSpread(summarise([]))).toBe('-');
  });
  it('formats median (min-max, spread)', () => {
    expect(formatSpread(summarise([1.2, 1.0, 1.1]), 2, 'x')).toBe('1.10x (1.00-1.20, 18.2%)');
  });
});

describe('judgeLoad', () => {
  it('is quiet when the load is low before and nobody else used the CPU', () => {
    const before = sample(0.2, { busy: 1000, total: 10000, own: 500 });
    // 2000 jiffies passed on 2 cores; 1000 busy, all of them ours.
    const after = sample(1.1, { busy: 2000, total: 12000, own: 1500 });
    const v = judgeLoad(before, after, 2);
    expect(v.underLoad).toBe(false);
    expect(v.othersCores).toBe(0);
  });
  it('flags a load average above 0.5 per core before the run', () => {
    const v = judgeLoad(sample(1.2), sample(1.2), 2);
    expect(v.underLoad).toBe(true);
    expect(v.reasons[0]).toMatch(/1-min load average 1.20 before the run \(limit 1.00 on 2 cores\)/);
  });
  it('flags other processes using more than a tenth of the machine during the run', () => {
    const before = sample(0.1, { busy: 0, total: 0, own: 0 });
    // 1000 jiffies on 2 cores: 800 busy, 500 ours, so others used 300/1000 of the machine = 0.6 cores.
    const v = judgeLoad(before, sample(0.9, { busy: 800, total: 1000, own: 500 }), 2);
    expect(v.othersCores).toBeCloseTo(0.6, 10);
    expect(v.underLoad).toBe(true);
  });
  it('where the minutes before the run were watched, judges them by CPU time, not by the load average (which still carries the previous repeat)', () => {
    // 3 s window: 600 jiffies on 2 cores, 400 busy, 380 ours (the browser settling): others 20/600 of 2 cores.
    const window = { start: sample(1.9, { busy: 0, total: 0, own: 0 }), end: sample(1.9, { busy: 400, total: 600, own: 380 }) };
    const during = sample(1.2, { busy: 1400, total: 2600, own: 1380 });
    const quiet = judgeLoad(window.end, during, 2, window);
    expect(quiet.underLoad).toBe(false);
    expect(quiet.othersCoresBefore).toBeCloseTo((20 / 600) * 2, 10);
    // Others used 300 of 600 jiffies just before: 1 core.
    const busy = judgeLoad(window.end, during, 2, { start: window.start, end: sample(0.1, { busy: 400, total: 600, own: 100 }) });
    expect(busy.reasons[0]).toMatch(/other processes used 1.00 of 2 cores just before the run \(limit 0.20\)/);
  });
  it('without CPU counters, flags a load average that rose by more than the bench itself explains', () => {
    expect(judgeLoad(sample(0.3), sample(1.2), 2).underLoad).toBe(false);
    expect(judgeLoad(sample(0.3), sample(1.5), 2).reasons[0]).toMatch(/rose from 0.30 to 1.50/);
  });
});

describe('repeatRuns', () => {
  it(`refuses fewer than ${MIN_REPEATS} repeats for a published figure`, async () => {
    await expect(repeatRuns(2, async () => 1)).rejects.toThrow(/at least 3 repeats/);
  });
  it('runs the measurement n times in order and samples the load around each', async () => {
    const seen: number[] = [];
    const runs = await repeatRuns(
      3,
      async (i) => {
        seen.push(i);
        return i * 10;
      },
      // /proc/stat counts in jiffies (10 ms): a window of a few ms may see no tick at all, and
      // then nothing can be said about others' use. 100 ms gives every core ~10 ticks.
      { quietWindowMs: 100 },
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(runs.map((r) => r.value)).toEqual([0, 10, 20]);
    for (const r of runs) expect(r.loadBefore.load1).toBeGreaterThanOrEqual(0);
    // Linux: each repeat was watched just before it started.
    for (const r of runs) expect(r.verdict.othersCoresBefore).toBeGreaterThanOrEqual(0);
  });
});
