/**
 * Main-thread side of the worker protocol: one worker, jobs matched by id, progress callbacks,
 * cancellation. A job's promise rejects with the worker's typed error.
 *
 * Watchdog: every job reports progress at least per batch or stage, so a worker that sends
 * nothing for `deadlineMs` while a job runs is taken to be stuck (a hung load, an endless wasm
 * loop). It is terminated and replaced, the job rejects with a 'worker-restarted' error saying
 * so, and later jobs run on the fresh worker. A crashed worker is replaced the same way, and so is
 * one whose WebGL context was lost ('webgl-context-lost', see webgl-context.ts): its tfjs engine
 * still holds the dead backend, so only a fresh worker is sure to work.
 */
import type { SerializedError } from '../engine/errors';
import type { JobResult } from '../engine/jobs/results';
import { PROTOCOL_VERSION, type JobRequest, type ProgressMessage, type WorkerRequest, type WorkerResponse } from './protocol';

export type Progress = Omit<ProgressMessage, 'v' | 'kind' | 'id'>;

export class JobError extends Error {
  constructor(readonly error: SerializedError) {
    super(error.message);
  }
}

interface Pending {
  resolve: (r: JobResult) => void;
  reject: (e: JobError) => void;
  onProgress: (p: Progress) => void;
}

export interface EngineClientOptions {
  /** Silence, in ms, after which a busy worker is replaced (default 120 s). */
  deadlineMs?: number;
  /** Told whenever the worker is replaced, with the reason. */
  onRestart?: (reason: string) => void;
}

export class EngineClient {
  private worker!: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private lastHeard = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private deadlineMs: number;
  /** How many times the worker was replaced. */
  restarts = 0;

  constructor(private readonly opts: EngineClientOptions = {}) {
    this.deadlineMs = opts.deadlineMs ?? 120_000;
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      this.lastHeard = performance.now();
      this.handle(ev.data);
    };
    this.worker.onerror = (ev) => this.restart({ code: 'worker-crashed', kind: 'bug', message: `The engine worker crashed (${ev.message || 'no message'}); it was restarted. Earlier results are kept.`, context: {} });
  }

  /** Terminates the worker, rejects every pending job with `error`, and starts a fresh one. */
  private restart(error: SerializedError): void {
    this.worker.terminate();
    this.restarts++;
    for (const [id, p] of this.pending) {
      p.reject(new JobError(error));
      this.pending.delete(id);
    }
    this.watch();
    this.start();
    this.opts.onRestart?.(error.message);
  }

  /** Runs the watchdog only while jobs are pending. */
  private watch(): void {
    if (this.pending.size > 0 && !this.timer) {
      this.timer = setInterval(
        () => {
          if (this.pending.size > 0 && performance.now() - this.lastHeard > this.deadlineMs) {
            this.restart({
              code: 'worker-restarted',
              kind: 'user',
              message: `The engine stopped answering for ${Math.round(this.deadlineMs / 1000)} s, so it was stopped and restarted. Earlier results are kept; run the job again.`,
              context: {},
            });
          }
        },
        Math.min(5000, Math.max(250, this.deadlineMs / 4)),
      );
    } else if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Changes the watchdog's deadline for what runs from now on (the benchmark hook's tests). */
  setDeadline(ms: number): void {
    this.deadlineMs = ms;
  }

  /** `transfer`: buffers in the job (e.g. a user's model files) handed to the worker, not copied. */
  run(job: JobRequest, onProgress: (p: Progress) => void, transfer: Transferable[] = []): { id: number; done: Promise<JobResult> } {
    const id = this.nextId++;
    const done = new Promise<JobResult>((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress }));
    this.lastHeard = performance.now();
    this.watch();
    this.send({ v: PROTOCOL_VERSION, kind: 'job', id, job }, transfer);
    return { id, done };
  }

  cancel(id: number): void {
    this.send({ v: PROTOCOL_VERSION, kind: 'cancel', id });
  }

  private send(msg: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private handle(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.kind === 'progress') {
      const { v: _v, kind: _k, id: _i, ...progress } = msg;
      p.onProgress(progress);
    } else {
      this.pending.delete(msg.id);
      this.watch();
      if (msg.kind === 'result') p.resolve(msg.result);
      else if (msg.error.code === 'webgl-context-lost') {
        this.pending.set(msg.id, p);
        this.restart(msg.error);
      } else p.reject(new JobError(msg.error));
    }
  }
}
