/**
 * Work ahead of need waits while a live request (picture, preview) runs and for the quiet window
 * after the last one; a live request inside the window starts it again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveGate } from '../../src/workers/live-gate';

describe('the worker gate between live requests and work ahead of need', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A gate on the fake clock, and a probe that says whether `idle()` has resolved. */
  function setup(quietMs = 500) {
    const gate = new LiveGate(quietMs, () => Date.now());
    const probe = () => {
      let done = false;
      void gate.idle().then(() => (done = true));
      return () => done;
    };
    return { gate, probe };
  }

  it('lets work go at once when no live request has run', async () => {
    const { probe } = setup();
    const done = probe();
    await vi.advanceTimersByTimeAsync(0);
    expect(done()).toBe(true);
  });

  it('holds work while a live request runs and for the quiet window after it', async () => {
    const { gate, probe } = setup();
    gate.enter();
    const done = probe();
    await vi.advanceTimersByTimeAsync(2000);
    expect(done()).toBe(false);
    gate.leave();
    await vi.advanceTimersByTimeAsync(499);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done()).toBe(true);
  });

  it('starts the window again for a live request inside it', async () => {
    const { gate, probe } = setup();
    gate.enter();
    gate.leave();
    const done = probe();
    await vi.advanceTimersByTimeAsync(300);
    gate.enter();
    await vi.advanceTimersByTimeAsync(400);
    gate.leave();
    await vi.advanceTimersByTimeAsync(400);
    expect(done()).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(done()).toBe(true);
    // After the window, work asks and goes at once.
    const later = probe();
    await vi.advanceTimersByTimeAsync(0);
    expect(later()).toBe(true);
  });

  it('waits for every live request when two overlap', async () => {
    const { gate, probe } = setup(100);
    gate.enter();
    gate.enter();
    const done = probe();
    gate.leave();
    await vi.advanceTimersByTimeAsync(1000);
    expect(done()).toBe(false);
    gate.leave();
    await vi.advanceTimersByTimeAsync(100);
    expect(done()).toBe(true);
  });
});
