/**
 * The benchmark's handle on the real studio: with `?bench` in the URL, the page exposes
 * `window.studioBench.run(job)`, which runs a job through the same EngineClient and Worker the
 * studio uses (bench/study.ts drives it from headless Chromium). Results come back as plain data,
 * with the exported files' bytes replaced by their lengths so they cross page.evaluate cheaply.
 */
import { EngineClient } from './workers/client';
import type { JobRequest, JobResult } from './workers/protocol';

declare global {
  interface Window {
    studioBench?: { run(job: JobRequest): Promise<JobResult>; progress: string; restarts(): number; setDeadline(ms: number): void };
  }
}

export function installBenchHook(params: URLSearchParams): void {
  // `?bench&deadline=<ms>` shortens the watchdog (tests/e2e/faults.spec.ts).
  const deadline = Number(params.get('deadline')) || undefined;
  const client = new EngineClient({ deadlineMs: deadline });
  const hook = {
    progress: '',
    restarts: () => client.restarts,
    setDeadline: (ms: number) => client.setDeadline(ms),
    async run(job: JobRequest): Promise<JobResult> {
      const r = await client.run(job, (p) => (hook.progress = `${p.stage} ${p.done}/${p.total}`)).done;
      if (r.type === 'compress' && r.exports) {
        r.exports = { ...r.exports, models: r.exports.models.map((m) => ({ ...m, bytes: new Uint8Array(0), byteLength: m.bytes.length })) };
      }
      if (r.type === 'compress' && r.tflite) r.tflite = { ...r.tflite, models: r.tflite.models.map((m) => ({ ...m, predictions: new Uint8Array(0) })) };
      return r;
    },
  };
  window.studioBench = hook;
}
