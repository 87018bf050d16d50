/**
 * Starting and cancelling engine jobs: one worker client for the page, results and errors into
 * the store. A compression job's settings are checked with the engine's own validation before
 * they are sent, so a bad value is named at once (the worker checks them again).
 */
import { serializeError, type SerializedError } from '../engine/errors';
import { validateCompressSettings } from '../engine/jobs/compress-settings';
import { EngineClient, JobError } from '../workers/client';
import type { JobRequest } from '../workers/protocol';
import { useStudio } from './store';

let client: EngineClient | undefined;
function engine(): EngineClient {
  client ??= new EngineClient();
  return client;
}

function asSerialized(e: unknown): SerializedError {
  return e instanceof JobError ? e.error : serializeError(e);
}

export function runJob(job: JobRequest): void {
  const { running, progressed, started, finished, failed } = useStudio.getState();
  if (running) return;
  const handle = engine().run(job, progressed);
  started(handle.id, job);
  handle.done.then(finished, (e: unknown) => failed(job.type, asSerialized(e)));
}

/** Cancels the running job, whatever its kind; its promise then rejects with 'cancelled'. */
export function cancelJob(): void {
  const running = useStudio.getState().running;
  if (running) engine().cancel(running.jobId);
}

export function runCompress(): void {
  const { selectedId, compressSettings, compressBackend, running, failed } = useStudio.getState();
  if (!selectedId || running) return;
  try {
    validateCompressSettings(compressSettings);
  } catch (e) {
    failed('compress', serializeError(e));
    return;
  }
  runJob({ type: 'compress', modelId: selectedId, backend: compressBackend, settings: compressSettings });
}
