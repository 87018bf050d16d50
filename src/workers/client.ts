/**
 * Main-thread side of the worker protocol: one worker, jobs matched by id, progress callbacks,
 * cancellation. A job's promise rejects with the worker's typed error.
 */
import type { SerializedError } from '../engine/errors';
import { PROTOCOL_VERSION, type JobRequest, type JobResult, type ProgressMessage, type WorkerRequest, type WorkerResponse } from './protocol';

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

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => this.handle(ev.data);
    this.worker.onerror = (ev) => {
      for (const [id, p] of this.pending) {
        p.reject(new JobError({ code: 'internal', kind: 'bug', message: `The engine worker crashed: ${ev.message}`, context: {} }));
        this.pending.delete(id);
      }
    };
  }

  /** `transfer`: buffers in the job (e.g. a user's model files) handed to the worker, not copied. */
  run(job: JobRequest, onProgress: (p: Progress) => void, transfer: Transferable[] = []): { id: number; done: Promise<JobResult> } {
    const id = this.nextId++;
    const done = new Promise<JobResult>((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress }));
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
      if (msg.kind === 'result') p.resolve(msg.result);
      else p.reject(new JobError(msg.error));
    }
  }
}
