/**
 * LiteRT.js (@litertjs/core, Google's successor to the TFLite web runtime) behind the ModelRuntime
 * seam: TFLite's interpreter and XNNPACK compiled to wasm, on the CPU ("wasm" accelerator).
 *
 * Why it is the studio's default runtime for .tflite files: its main wasm build uses relaxed SIMD,
 * where XNNPACK's int8 convolutions use the int8 dot-product instruction, and its float32 ones fused
 * multiply-add. @tensorflow/tfjs-tflite's builds stop at SIMD128. XNNPACK takes the int8 dot product
 * only where the engine's lowering of it does not saturate (V8 on x64: CPUs with AVX-VNNI); there
 * int8 runs ~3x faster than float32, elsewhere its int8 falls back to SIMD128 kernels and gains ~1.3x
 * (README "Real int8 on TFLite", bench/tflite-cpu-profile.ts), and tfjs-tflite can be the faster
 * int8 runtime (jobs/runtime-choice.ts measures it). Browsers without relaxed SIMD get its "compat"
 * build.
 *
 * Limits, and what this wrapper handles:
 * - its JS tensors are float32, int32 or uint8 only, so a file with int8 input or output cannot run
 *   here ("Element type INT8 is not supported"): the studio runs int8-I/O files on tfjs-tflite;
 * - it has no per-op profiler in JS (profile() is absent);
 * - its loader fetches the wasm glue with importScripts, which a module worker refuses, and locates
 *   the .wasm next to the worker's own script: the glue is preloaded (worker-glue.ts) and
 *   `Module.locateFile` points at the served folder (public/litert-wasm/, copied there by
 *   tools/prepare/wasm-assets.ts, never a CDN);
 * - its threaded build needs relaxed SIMD and a cross-origin-isolated page;
 * - it builds its JS bindings with embind (`new Function`): it runs in the TFLite worker, whose
 *   script alone is served with 'unsafe-eval' (vite.config.ts).
 */
import { type CompiledModel, loadAndCompile, loadLiteRt, supportsFeature, Tensor } from '@litertjs/core';
import { StudioError } from '../errors';
import { runtimeDataType, type LoadedModel, type ModelRuntime, type RuntimeInfo, type RuntimeTensorInfo } from './model-runtime';
import { preloadGlue } from './worker-glue';

export const LITERT_PACKAGE = '@litertjs/core 2.5.3';

export interface LiteRtRuntimeOptions {
  /** URL of the folder holding litert_wasm_*.{js,wasm}, ending in "/". */
  wasmPath: string;
  /** Interpreter threads (default 1: comparable across machines, and what a microcontroller has). */
  numThreads?: number;
}

interface Build {
  file: string;
  relaxedSimd: boolean;
  threaded: boolean;
}

/** The glue file LiteRT.js' own loader would pick (its load()), with threads only where they can run. */
async function pickBuild(threads: number): Promise<Build> {
  const relaxedSimd = await supportsFeature('relaxedSimd');
  const threaded = relaxedSimd && threads > 1 && globalThis.crossOriginIsolated === true && (await supportsFeature('threads'));
  const file = !relaxedSimd ? 'litert_wasm_compat_internal.js' : threaded ? 'litert_wasm_threaded_internal.js' : 'litert_wasm_internal.js';
  return { file, relaxedSimd, threaded };
}

class LiteRtModel implements LoadedModel {
  readonly input: RuntimeTensorInfo;
  readonly output: RuntimeTensorInfo;
  private model: CompiledModel | undefined;

  constructor(model: CompiledModel) {
    this.model = model;
    const ins = model.getInputDetails();
    const outs = model.getOutputDetails();
    if (ins.length !== 1 || outs.length !== 1) {
      model.delete();
      throw new StudioError('bad-model', `The studio runs models with one input and one output; this one has ${ins.length} and ${outs.length}.`, {});
    }
    this.input = { shape: Array.from(ins[0].shape), type: runtimeDataType(ins[0].dtype) };
    this.output = { shape: Array.from(outs[0].shape), type: runtimeDataType(outs[0].dtype) };
  }

  async predict(x: Float32Array | Int8Array, shape: number[]): Promise<Float32Array> {
    const outs = await this.invoke(x, shape);
    try {
      return Float32Array.from(outs[0].toTypedArray());
    } finally {
      for (const o of outs) o.delete();
    }
  }

  async run(x: Float32Array | Int8Array, shape: number[]): Promise<void> {
    for (const o of await this.invoke(x, shape)) o.delete();
  }

  private async invoke(x: Float32Array | Int8Array, shape: number[]): Promise<Tensor[]> {
    const m = this.model;
    if (!m) throw new StudioError('internal', 'This LiteRT model was disposed.', {}, 'bug');
    if (shape.join() !== this.input.shape.join()) throw new StudioError('shape-mismatch', `The LiteRT model takes input [${this.input.shape.join(',')}], got [${shape.join(',')}].`, { expected: this.input.shape, got: shape });
    if (!(x instanceof Float32Array)) throw new StudioError('shape-mismatch', `The LiteRT model takes ${this.input.type} input, got a ${x.constructor.name}.`, {});
    const t = new Tensor(x, shape);
    try {
      return await m.run(t);
    } finally {
      t.delete();
    }
  }

  dispose(): void {
    this.model?.delete();
    this.model = undefined;
  }
}

/**
 * LiteRT.js is one global wasm instance per worker (loadLiteRt throws on a second call), so the
 * first runtime created in a worker loads it and later ones share it; they must ask for the same
 * build, since a loaded instance cannot change its files or threads.
 */
let loaded: { url: string; build: Promise<Build> } | undefined;

async function startLiteRt(wasmPath: string, threads: number): Promise<Build> {
  const build = await pickBuild(threads);
  const url = wasmPath + build.file;
  if (loaded) {
    if (loaded.url !== url) throw new StudioError('bad-settings', `LiteRT.js is already running from ${loaded.url} in this worker; it cannot switch to ${url}.`, {});
    return loaded.build;
  }
  const start = async () => {
    await preloadGlue(url, 'ModuleFactory', 'public/litert-wasm/');
    // Read by LiteRT's loader as the emscripten Module: the .wasm lives beside the glue, not
    // beside the worker's script, and pthreads start from the glue.
    (globalThis as { Module?: unknown }).Module = { locateFile: (path: string) => wasmPath + path, mainScriptUrlOrBlob: url };
    try {
      await loadLiteRt(url);
    } catch (e) {
      throw new StudioError('dataset-missing', `LiteRT.js could not start from ${url}: ${(e as Error).message}. Run "npm run prepare-data", which copies its files to public/litert-wasm/.`, { fileName: url });
    }
    return build;
  };
  const current = { url, build: start() };
  loaded = current;
  current.build.catch(() => {
    if (loaded === current) loaded = undefined;
  });
  return current.build;
}

export function createLiteRtRuntime(opts: LiteRtRuntimeOptions): ModelRuntime {
  const threads = opts.numThreads ?? 1;
  const init = () => startLiteRt(opts.wasmPath, threads);
  return {
    async info(): Promise<RuntimeInfo> {
      const b = await init();
      return { id: 'litert', name: `LiteRT.js (wasm ${b.relaxedSimd ? 'relaxed SIMD' : 'SIMD'}, XNNPACK) via ${LITERT_PACKAGE}`, threads: b.threaded ? threads : 1, simd: true, multiThreading: b.threaded };
    },
    async load(bytes: Uint8Array): Promise<LoadedModel> {
      const b = await init();
      let model: CompiledModel;
      try {
        model = await loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: b.threaded ? threads : 1 } });
      } catch (e) {
        const msg = ((e as Error).message ?? String(e)).replace(/\.$/, '');
        const hint = /INT8/.test(msg) ? ' LiteRT.js takes float32, int32 or uint8 input and output only; run a file with int8 I/O on tfjs-tflite.' : '';
        throw new StudioError('bad-model', `LiteRT.js could not load the model: ${msg}.${hint}`, { sizeBytes: bytes.length });
      }
      return new LiteRtModel(model);
    },
  };
}
