/**
 * The TFLite runtime in the browser: TFLite compiled to wasm (XNNPACK delegate, real int8
 * kernels) through @tensorflow/tfjs-tflite 0.0.1-alpha.10, behind the ModelRuntime seam.
 *
 * Browser-only, and only the engine worker may import it: the package does not run in Node
 * ("self is not defined"), and it needs a cross-origin-isolated page for threads.
 *
 * Measured pitfalls this wrapper handles (../shared/notes/browser-runtimes.md):
 * - its loader fetches the wasm glue with importScripts, which a module worker (ours) refuses,
 *   and the studio's CSP forbids eval: the glue is imported beforehand from a blob URL;
 * - with threads, the 9th model load hangs unless each model runner is cleaned up, so dispose()
 *   calls the runner's cleanUp();
 * - its wasm and glue files are served locally (tools/prepare/wasm-assets.ts copies them to
 *   public/tflite-wasm/), never from a CDN.
 */
import type { TFLiteWebModelRunner, TFLiteWebModelRunnerTensorInfo } from '@tensorflow/tfjs-tflite';
import * as tflite from '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js';
import { StudioError } from '../errors';
import { preloadGlue } from './worker-glue';
import { runtimeDataType, type LoadedModel, type LoadOptions, type ModelRuntime, type OpTime, type RuntimeInfo, type RuntimeTensorInfo } from './model-runtime';

export const TFLITE_PACKAGE = '@tensorflow/tfjs-tflite 0.0.1-alpha.10';

export interface TfliteRuntimeOptions {
  /** URL of the folder holding tflite_web_api_cc*.{js,wasm}, ending in "/". */
  wasmPath: string;
  /** Interpreter threads (default 1: comparable across machines, and what a microcontroller has). */
  numThreads?: number;
}

/** The emscripten glue the TFLite loader picks for this browser (its genFullLoaderUrl). */
async function glueUrl(wasmPath: string): Promise<string> {
  const f = await tflite.getWasmFeatures();
  const variant = f.simd && f.multiThreading ? '_simd_threaded' : f.multiThreading ? '_threaded' : f.simd ? '_simd' : '';
  return `${wasmPath}tflite_web_api_cc${variant}.js`;
}

function info(t: TFLiteWebModelRunnerTensorInfo): RuntimeTensorInfo {
  return { shape: t.shape.split(',').map(Number), type: runtimeDataType(t.dataType) };
}

class TfliteModel implements LoadedModel {
  readonly input: RuntimeTensorInfo;
  readonly output: RuntimeTensorInfo;
  private runner: TFLiteWebModelRunner | undefined;
  // Taken once: each getInputs()/getOutputs() call builds new embind objects.
  private readonly inputTensor: TFLiteWebModelRunnerTensorInfo;
  private readonly outputTensor: TFLiteWebModelRunnerTensorInfo;

  constructor(
    runner: TFLiteWebModelRunner,
    private readonly profiled: boolean,
  ) {
    this.runner = runner;
    const ins = runner.getInputs();
    const outs = runner.getOutputs();
    if (ins.length !== 1 || outs.length !== 1) {
      runner.cleanUp();
      throw new StudioError('bad-model', `The studio runs models with one input and one output; this one has ${ins.length} and ${outs.length}.`, {});
    }
    this.inputTensor = ins[0];
    this.outputTensor = outs[0];
    this.input = info(ins[0]);
    this.output = info(outs[0]);
  }

  async predict(x: Float32Array | Int8Array, shape: number[]): Promise<Float32Array> {
    this.invoke(x, shape);
    return Float32Array.from(this.outputTensor.data());
  }

  async run(x: Float32Array | Int8Array, shape: number[]): Promise<void> {
    this.invoke(x, shape);
  }

  private invoke(x: Float32Array | Int8Array, shape: number[]): void {
    const r = this.runner;
    if (!r) throw new StudioError('internal', 'This TFLite model was disposed.', {}, 'bug');
    if (shape.join() !== this.input.shape.join()) throw new StudioError('shape-mismatch', `The TFLite model takes input [${this.input.shape.join(',')}], got [${shape.join(',')}].`, { expected: this.input.shape, got: shape });
    const want = this.input.type === 'int8' ? Int8Array : Float32Array;
    if (!(x instanceof want)) throw new StudioError('shape-mismatch', `The TFLite model takes ${this.input.type} input, got a ${x.constructor.name}.`, {});
    // data() is a view on the wasm heap; take it afresh each call (the heap may have grown).
    this.inputTensor.data().set(x);
    if (!r.infer()) throw new StudioError('internal', 'TFLite inference failed.', {}, 'bug');
  }

  profile(): OpTime[] | undefined {
    if (!this.profiled || !this.runner) return undefined;
    return this.runner.getProfilingResults().map((p) => ({ op: p.nodeType, node: p.nodeName, ms: p.nodeExecMs }));
  }

  dispose(): void {
    if (!this.runner) return;
    for (const t of [this.inputTensor, this.outputTensor]) (t as unknown as { delete?: () => void }).delete?.();
    // Without cleanUp the threaded runtime hangs after about 8 model loads.
    this.runner.cleanUp();
    this.runner = undefined;
  }
}

export function createTfliteRuntime(opts: TfliteRuntimeOptions): ModelRuntime {
  const threads = opts.numThreads ?? 1;
  let ready: Promise<void> | undefined;
  const init = () => {
    if (!ready) {
      tflite.setWasmPath(opts.wasmPath);
      ready = glueUrl(opts.wasmPath).then((url) => preloadGlue(url, 'tflite_web_api_ModuleFactory', 'public/tflite-wasm/'));
      ready.catch(() => (ready = undefined));
    }
    return ready;
  };
  return {
    async info(): Promise<RuntimeInfo> {
      await init();
      const f = await tflite.getWasmFeatures();
      return { id: 'tfjs-tflite', name: `TFLite (wasm${f.simd ? ' SIMD' : ''}, XNNPACK) via ${TFLITE_PACKAGE}`, threads: f.multiThreading ? threads : 1, simd: f.simd, multiThreading: f.multiThreading };
    },
    async load(bytes: Uint8Array, loadOpts: LoadOptions = {}): Promise<LoadedModel> {
      await init();
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      let model: tflite.TFLiteModel;
      try {
        const profile = loadOpts.profile ?? false;
        // The profiler's buffer must hold every op of the runs read between two profile() calls.
        model = await tflite.loadTFLiteModel(buffer, { numThreads: threads, enableProfiling: profile, ...(profile ? { maxProfilingBufferEntries: 100_000 } : {}) });
      } catch (e) {
        throw new StudioError('bad-model', `TFLite could not load the model: ${(e as Error).message}`, { sizeBytes: bytes.length });
      }
      // TFLiteModel keeps its runner private; the runner has the typed-array I/O and cleanUp().
      const runner = (model as unknown as { modelRunner?: TFLiteWebModelRunner }).modelRunner;
      if (!runner) throw new StudioError('internal', `${TFLITE_PACKAGE}: TFLiteModel no longer exposes its model runner.`, {}, 'bug');
      return new TfliteModel(runner, loadOpts.profile ?? false);
    },
  };
}
