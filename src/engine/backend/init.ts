/**
 * Picks and starts a tfjs backend. The wasm backend's binaries are served locally: in a browser
 * the caller passes their URL prefix (public/tfjs-wasm/); in Node the package finds its own.
 * If the requested backend cannot start, the next in FALLBACK order is tried and the result says
 * which one actually runs, so no figure is ever labelled with the wrong backend.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'wasm' | 'webgl' | 'cpu';
export const FALLBACK: readonly BackendName[] = ['wasm', 'webgl', 'cpu'];

export interface BackendStatus {
  requested: BackendName;
  active: string;
  /** Why the requested backend is not the active one, when it is not. */
  fallbackReason?: string;
}

export async function initBackend(requested: BackendName, opts: { wasmPrefix?: string } = {}): Promise<BackendStatus> {
  if (opts.wasmPrefix) setWasmPaths(opts.wasmPrefix);
  const order = [requested, ...FALLBACK.filter((b) => b !== requested)];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { requested, active: tf.getBackend(), fallbackReason: reasons.length ? reasons.join('; ') : undefined };
      }
      reasons.push(`${name} could not start`);
    } catch (e) {
      reasons.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`No tfjs backend could start: ${reasons.join('; ')}`);
}
