/**
 * Chooses and prepares the backend that trains. On a CPU, wasm with the composed gradient
 * kernels trains ~50-100x faster than the cpu backend and far faster than WebGL through a
 * software renderer (SwiftShader), so 'auto' picks webgl only when it is hardware-accelerated.
 * If the gradient kernels cannot be registered (say, a tfjs upgrade changed a kernel), training
 * falls back to another backend and the note names the missing kernel.
 *
 * Threads: tfjs' wasm backend loads its threaded build wherever SharedArrayBuffer is allowed, i.e.
 * in a cross-origin-isolated page and its workers, which the studio is (COOP/COEP in
 * vite.config.ts), and backend/init.ts gives its XNNPACK pool one thread per logical core. In Node
 * tfjs turns threads off (tfjs issue 3830). The note says how many threads train.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../backend/init';
import { BACKENDS, type BackendChoice, type BackendName } from '../choices/train';
import { registerBatchNormGradient } from '../backend/batchnorm-gradient';
import { registerWasmTrainingKernels } from '../backend/wasm-training-kernels';

export type TrainingBackendChoice = BackendChoice;

export interface TrainingBackend {
  backend: string;
  /** Why this backend trains, or why the requested one does not. */
  note?: string;
  /** XNNPACK threads, where wasm trains. */
  threads?: number;
}

function wasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

/** True when a WebGL renderer string names a software rasterizer. */
export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return !renderer || /swiftshader|llvmpipe|software|basic render/i.test(renderer);
}

export async function prepareTrainingBackend(choice: TrainingBackendChoice, opts: { wasmPrefix?: string; webglRenderer?: string } = {}): Promise<TrainingBackend> {
  BACKENDS.check(choice);
  registerBatchNormGradient();
  let requested: BackendName;
  let why: string | undefined;
  if (choice === 'auto') {
    requested = isSoftwareRenderer(opts.webglRenderer) ? 'wasm' : 'webgl';
    why = requested === 'wasm' ? `WebGL is not hardware-accelerated (${opts.webglRenderer ?? 'no renderer'}), so wasm trains` : `WebGL runs on ${opts.webglRenderer}`;
  } else requested = choice;

  if (requested === 'wasm') {
    const status = await initBackend('wasm', { wasmPrefix: opts.wasmPrefix });
    if (status.active === 'wasm') {
      const report = registerWasmTrainingKernels();
      if (report.failed.length === 0) {
        const threads = wasmThreads();
        return { backend: 'wasm', threads, note: `${why ? `${why}, ` : ''}with ${threads} thread${threads === 1 ? '' : 's'}` };
      }
      const missing = report.failed.map((f) => `${f.kernel} (${f.reason})`).join('; ');
      const fallback = await initBackend('webgl', { wasmPrefix: opts.wasmPrefix });
      return { backend: fallback.active, note: `wasm cannot train: gradient kernel registration failed for ${missing}; training on ${fallback.active} instead` };
    }
    return { backend: status.active, note: `wasm could not start (${status.fallbackReason}); training on ${status.active}` };
  }
  const status = await initBackend(requested, { wasmPrefix: opts.wasmPrefix });
  return { backend: status.active, note: status.fallbackReason ?? why };
}
