/// <reference lib="webworker" />
/**
 * WebGL context loss in the engine worker. When the browser takes the GPU context away (a GPU
 * reset, a driver update, too many contexts, or WEBGL_lose_context), tfjs' webgl backend does not
 * fail: its pending reads wait on fences that never signal, so the job hangs, and anything read
 * back is zeros. So while a job runs, the worker polls the context of the backend tfjs actually
 * uses; once it is lost, the job must end with a 'webgl-context-lost' error rather than a result,
 * and the worker is replaced (client.ts), because its tfjs engine still holds the dead backend
 * and a job stuck inside it.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../engine/errors';

/** The part of tfjs' MathBackendWebGL read here (its GPGPUContext holds the context). */
interface WebglBackend {
  gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
}

/** The webgl backend's context when webgl is the active backend, else undefined. */
function activeContext(): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  try {
    return (tf.backend() as unknown as WebglBackend).gpgpu?.gl;
  } catch {
    return undefined; // still initialising
  }
}

/** True when the active backend is webgl and its context has been lost. */
export function webglContextLost(): boolean {
  return activeContext()?.isContextLost() ?? false;
}

export function contextLostError(): StudioError {
  return new StudioError('webgl-context-lost', 'The WebGL context was lost (the browser reset the GPU or took it back), so this job stopped. The studio now runs on wasm; earlier results and the history are kept. Run the job again.', {
    backend: 'webgl',
  });
}

/**
 * Calls `onLost` once if the webgl backend's context is lost while the returned stop function
 * has not been called. Polling (not the canvas's 'webglcontextlost' event) because the backend
 * may be created, and lose its context, at any point of the job.
 */
export function watchWebglContext(onLost: () => void, intervalMs = 250): () => void {
  const timer = setInterval(() => {
    if (webglContextLost()) {
      clearInterval(timer);
      onLost();
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
