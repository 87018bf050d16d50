/**
 * The worker's live requests (the picture and the preview) against its work ahead of need (the
 * next Compress's "before" evaluation, jobs/compress.ts warmBaseline): that work waits before it
 * starts and between its batches while a live request runs, and until none has run for `quietMs`.
 * While the user moves a slider, each preview follows the last one within the page's debounce; a
 * batch of 64 test images started in between made the next preview wait for the rest of it (its
 * request reached the worker 14-30 ms late, measured in the page; 0-4 ms with this gate).
 */
export const LIVE_QUIET_MS = 500;

export class LiveGate {
  private count = 0;
  private lastLeft = -Infinity;
  private waiting: Array<() => void> = [];
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly quietMs = LIVE_QUIET_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  enter(): void {
    this.count++;
    clearTimeout(this.timer);
  }

  leave(): void {
    this.count--;
    this.lastLeft = this.now();
    this.wake();
  }

  /** Resolves once no live request runs and none has for `quietMs`. */
  idle(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    const p = new Promise<void>((go) => this.waiting.push(go));
    this.wake();
    return p;
  }

  private quiet(): boolean {
    return this.count === 0 && this.now() - this.lastLeft >= this.quietMs;
  }

  /** Lets the waiting work go when the quiet window ends (a live request in the meantime starts it again). */
  private wake(): void {
    clearTimeout(this.timer);
    if (this.count > 0 || this.waiting.length === 0) return;
    this.timer = setTimeout(
      () => {
        if (this.quiet()) for (const go of this.waiting.splice(0)) go();
        else this.wake();
      },
      Math.max(0, this.lastLeft + this.quietMs - this.now()),
    );
  }
}
