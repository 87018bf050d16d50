/** The training choices: the optimizer and the tfjs backend a job trains or measures on. */
import { defineChoice, type IdOf } from './choice';

/** The optimizers fine-tuning and training from scratch offer (train/fit.ts builds them). */
export const OPTIMIZERS = defineChoice('finetune.optimizer', [
  { id: 'sgd-momentum', label: 'SGD with momentum', help: 'Stochastic gradient descent with momentum 0.9.', urlCode: 'sgd', default: true },
  { id: 'adam', label: 'Adam', help: 'Adam with tfjs’ defaults (β1 0.9, β2 0.999, ε 1e-7).' },
]);
export type Optimizer = IdOf<typeof OPTIMIZERS>;

/**
 * The tfjs backends, in the order backend/init.ts falls back through them, and 'auto' (train/
 * training-backend.ts: wasm unless WebGL is hardware-accelerated), which only a training job takes.
 */
export const BACKENDS = defineChoice('backend', [
  { id: 'auto', label: 'auto (wasm unless WebGL is hardware-accelerated)', help: 'wasm, or WebGL where the GPU is hardware-accelerated.', default: true },
  { id: 'wasm', label: 'wasm (CPU)', help: 'XNNPACK kernels on the CPU, threaded where the page is cross-origin isolated.' },
  { id: 'webgl', label: 'webgl (GPU)', help: 'Shaders on the GPU; slow under a software renderer.' },
  { id: 'cpu', label: 'cpu (slow, reference)', help: 'Plain JavaScript kernels: slow, but the reference.' },
]);
export type BackendChoice = IdOf<typeof BACKENDS>;
export type BackendName = Exclude<BackendChoice, 'auto'>;
/** The backends that run a job as such (all but 'auto'), in fallback order. */
export const BACKEND_NAMES = BACKENDS.ids.filter((id): id is BackendName => id !== 'auto');
