/// <reference lib="webworker" />
/**
 * The engine worker: a thin switch from protocol messages to engine jobs. All heavy compute runs
 * here so the page never blocks. Files are fetched relative to the page's origin.
 */
import { initBackend, type BackendName } from '../engine/backend/init';
import { serializeError, StudioError } from '../engine/errors';
import { evaluateBaseline } from '../engine/jobs/evaluate-baseline';
import type { BaselineIndex } from '../engine/types';
import { PROTOCOL_VERSION, type WorkerRequest, type WorkerResponse } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const controllers = new Map<number, AbortController>();
let backendReady: { name: BackendName; status: Awaited<ReturnType<typeof initBackend>> } | undefined;

function post(msg: WorkerResponse): void {
  scope.postMessage(msg);
}

async function read(path: string): Promise<Uint8Array> {
  const url = new URL(path, scope.location.origin + '/').href;
  const res = await fetch(url);
  if (!res.ok) throw new StudioError('dataset-missing', `Could not load ${path}: HTTP ${res.status}. Run "npm start", which prepares data and models.`, { fileName: path });
  return new Uint8Array(await res.arrayBuffer());
}

async function ensureBackend(name: BackendName) {
  if (backendReady?.name !== name) {
    backendReady = { name, status: await initBackend(name, { wasmPrefix: new URL('/tfjs-wasm/', scope.location.origin).href }) };
  }
  return backendReady.status;
}

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.v !== PROTOCOL_VERSION) return;
  if (msg.kind === 'cancel') {
    controllers.get(msg.id)?.abort();
    return;
  }
  const { id, job } = msg;
  const ctrl = new AbortController();
  controllers.set(id, ctrl);
  try {
    post({ v: 1, kind: 'progress', id, stage: 'backend', done: 0, total: 1 });
    const status = await ensureBackend(job.backend);
    const index = JSON.parse(new TextDecoder().decode(await read('models/index.json'))) as BaselineIndex;
    const entry = index.models.find((m) => m.id === job.modelId);
    if (!entry) throw new StudioError('bad-model', `No baseline "${job.modelId}" in models/index.json.`, { modelId: job.modelId });
    const result = await evaluateBaseline(entry, {
      read,
      signal: ctrl.signal,
      onProgress: (stage, done, total) => post({ v: 1, kind: 'progress', id, stage, done, total }),
    }, job.limit);
    post({ v: 1, kind: 'result', id, result: { ...result, backendNote: status.fallbackReason } });
  } catch (e) {
    const error = ctrl.signal.aborted ? { code: 'cancelled' as const, kind: 'user' as const, message: 'Cancelled.', context: {} } : serializeError(e);
    post({ v: 1, kind: 'error', id, error });
  } finally {
    controllers.delete(id);
  }
};
