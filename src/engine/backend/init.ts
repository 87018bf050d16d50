/**
 * Picks and starts a tfjs backend. The wasm backend's binaries are served locally: in a browser
 * the caller passes their URL prefix (public/tfjs-wasm/); in Node the package finds its own.
 * If the requested backend cannot start, the next in FALLBACK order is tried and the result says
 * which one actually runs, so no figure is ever labelled with the wrong backend.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { BACKEND_NAMES, type BackendName } from '../choices/train';
import { StudioError } from '../errors';

export type { BackendName };
/** The table's order (choices/train.ts) is the fallback order. */
export const FALLBACK: readonly BackendName[] = BACKEND_NAMES;

export interface BackendStatus {
  requested: BackendName;
  active: string;
  /** Why the requested backend is not the active one, when it is not. */
  fallbackReason?: string;
}

/**
 * In a cross-origin-isolated browser context tfjs loads its threaded wasm build, whose C++ caps
 * XNNPACK's thread pool at navigator.hardwareConcurrency / 2 (it assumes two hyper-threads per
 * core), read once when the module starts: one thread on a 2-core machine, whatever
 * setThreadsCount asks. The thread count cannot be passed in any other way, so while the backend
 * starts, hardwareConcurrency reads twice the real count and setThreadsCount asks for one thread
 * per logical core. Returns the function that puts navigator back (call it once the backend has
 * started). Does nothing outside an isolated browser context, or where the backend already runs.
 */
function useAllCoresForWasm(): (() => void) | undefined {
  if (globalThis.crossOriginIsolated !== true || typeof navigator === 'undefined' || tf.findBackend('wasm')) return undefined;
  const cores = navigator.hardwareConcurrency;
  if (!(cores > 1)) return undefined;
  setThreadsCount(cores);
  try {
    Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
  } catch {
    return undefined;
  }
  return () => {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/**
 * Starts are serialized: a job's start while another job's is still loading the wasm module
 * would read the lifted hardwareConcurrency as the real one and put navigator back under the
 * first start's feet (seen as "1 thread" in an e2e run under load).
 */
let starting: Promise<unknown> = Promise.resolve();

export function initBackend(requested: BackendName, opts: { wasmPrefix?: string } = {}): Promise<BackendStatus> {
  const run = starting.then(() => startBackend(requested, opts));
  starting = run.catch(() => undefined);
  return run;
}

async function startBackend(requested: BackendName, opts: { wasmPrefix?: string }): Promise<BackendStatus> {
  // An unknown name is refused rather than quietly replaced by the first backend that starts.
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) throw new StudioError('bad-settings', `backend: must be one of ${BACKEND_NAMES.join(', ')} (got ${JSON.stringify(requested)}).`, { field: 'backend', value: requested });
  if (opts.wasmPrefix) setWasmPaths(opts.wasmPrefix);
  const restore = requested === 'wasm' ? useAllCoresForWasm() : undefined;
  const order = [requested, ...FALLBACK.filter((b) => b !== requested)];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        restore?.();
        return { requested, active: tf.getBackend(), fallbackReason: reasons.length ? reasons.join('; ') : undefined };
      }
      reasons.push(`${name} could not start`);
    } catch (e) {
      reasons.push(`${name}: ${(e as Error).message}`);
    }
  }
  restore?.();
  throw new Error(`No tfjs backend could start: ${reasons.join('; ')}`);
}
