/**
 * Makes the tfjs wasm backend able to train conv nets.
 *
 * tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter or
 * DepthwiseConv2dNativeBackpropInput (so `fit` throws there), and its Conv2DBackpropInput is a
 * direct loop rather than XNNPACK. Each gradient here is rewritten as ONE forward convolution of
 * re-laid-out tensors, run by the wasm backend's own XNNPACK Conv2D / DepthwiseConv2dNative, with
 * Transpose/PadV2/Reshape/Slice/Reverse/Sum/Tile around it (see kernels/compose.ts for why
 * composition, and each kernels/*.ts for its maths). Do not route gradients through wasm's
 * Conv3DBackprop*V2 instead: they return wrong gradients at stride 2.
 *
 * MaxPoolGrad is left native: it does not dominate a step. Measured in Node 20 (wasm SIMD, 1
 * thread, batch 64, 2-core box shared with another job), with these kernels registered: small
 * CNN conv32-pool-conv64-pool-conv128-GAP-dense10 on 32x32x3, 340 ms/step, of which MaxPoolGrad
 * 78 ms (23%), Conv2DBackpropFilter 108 ms, forward Conv2D 55 ms, Conv2DBackpropInput 51 ms; the
 * zoo's custom-cnn (with BatchNorm) ~1.9 s/step, MaxPoolGrad 100 ms (5%; the BatchNorm gradient's
 * Tile/Sum/Mean/Multiply take ~45%). A composed 2x2/stride-2 MaxPoolGrad (first-max mask via
 * Equal + Cumsum over the window, times the upsampled dy, transposed back) took 267 ms against
 * 61 ms native for a [64,32,32,32] input, so the native kernel stays.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { checkWasmKernel } from './kernels/compose';
import { CONV2D_BACKPROP_FILTER_NEEDS, conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter';
import { CONV2D_BACKPROP_INPUT_NEEDS, conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input';
import { DEPTHWISE_BACKPROP_FILTER_NEEDS, depthwiseBackpropFilterWasmConfig } from './kernels/depthwise-backprop-filter';
import { DEPTHWISE_BACKPROP_INPUT_NEEDS, depthwiseBackpropInputWasmConfig } from './kernels/depthwise-backprop-input';

export interface KernelRegistrationReport {
  registered: string[];
  failed: Array<{ kernel: string; reason: string }>;
}

/**
 * A known-answer self-check run at registration when the wasm backend is already initialised:
 * a tiny stride-2 'valid' case (x [2,5,5,3], 3x3 filter, dy [2,2,2,*], channel multiplier 2 for
 * depthwise) on small-integer, position-dependent inputs, so a building block whose attributes,
 * layout or semantics changed (an ignored dilation, a no-op Reverse, a wrong permutation) shows up
 * as a wrong value. The reference is the definition, summed term by term (under 2,000 multiply-adds).
 */
interface Probe {
  inputs: Record<string, number[]>;
  attrs: NamedAttrMap;
  outShape: number[];
  /** which gradient of the direct reference the kernel must reproduce */
  ref: 'dW' | 'dx';
}

interface Entry {
  config: KernelConfig;
  needs: readonly string[];
  depthwise: boolean;
  probe: Probe;
}

const P = { n: 2, hw: 5, c: 3, k: 3, s: 2, oh: 2, cout: 4, m: 2 };
const X_SHAPE = [P.n, P.hw, P.hw, P.c];

/** Small integers in [-3, 3] that depend on every index, so any index mix-up changes the sums. */
function probeValues(shape: number[], salt: number): Float32Array {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = ((i * 7 + salt * 3 + ((i * i) >> 2)) % 7) - 3;
  return v;
}

/**
 * dW and dx, by definition, of the 'valid' stride-s conv y[n,i,j,o] = sum x[n,i*s+a,j*s+b,ci] w[a,b,ci,q]
 * (sum over a, b, ci with q = o when dense; only ci = floor(o/m), q = o mod m when depthwise).
 */
function directGrads(depthwise: boolean, x: Float32Array, w: Float32Array, dy: Float32Array): { dW: Float32Array; dx: Float32Array } {
  const { n: N, hw: H, c: C, k: K, s: S, oh: OH } = P;
  const wOut = depthwise ? P.m : P.cout; // last axis of the filter
  const dyC = depthwise ? C * P.m : P.cout; // channels of dy
  const dW = new Float32Array(K * K * C * wOut);
  const dx = new Float32Array(N * H * H * C);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OH; j++)
        for (let a = 0; a < K; a++)
          for (let b = 0; b < K; b++) {
            for (let ci = 0; ci < C; ci++)
              for (let q = 0; q < wOut; q++) {
                const o = depthwise ? ci * P.m + q : q;
                const xi = ((n * H + i * S + a) * H + j * S + b) * C + ci;
                const wi = ((a * K + b) * C + ci) * wOut + q;
                const g = dy[((n * OH + i) * OH + j) * dyC + o];
                dW[wi] += x[xi] * g;
                dx[xi] += w[wi] * g;
              }
          }
  return { dW, dx };
}

const ENTRIES: Entry[] = [
  {
    config: conv2DBackpropFilterWasmConfig,
    needs: CONV2D_BACKPROP_FILTER_NEEDS,
    depthwise: false,
    probe: {
      inputs: { x: X_SHAPE, dy: [P.n, P.oh, P.oh, P.cout] },
      attrs: { strides: [P.s, P.s], pad: 'valid', dataFormat: 'NHWC', filterShape: [P.k, P.k, P.c, P.cout] },
      outShape: [P.k, P.k, P.c, P.cout],
      ref: 'dW',
    },
  },
  {
    config: conv2DBackpropInputWasmConfig,
    needs: CONV2D_BACKPROP_INPUT_NEEDS,
    depthwise: false,
    probe: {
      inputs: { dy: [P.n, P.oh, P.oh, P.cout], filter: [P.k, P.k, P.c, P.cout] },
      attrs: { strides: [P.s, P.s], pad: 'valid', dataFormat: 'NHWC', inputShape: X_SHAPE },
      outShape: X_SHAPE,
      ref: 'dx',
    },
  },
  {
    config: depthwiseBackpropFilterWasmConfig,
    needs: DEPTHWISE_BACKPROP_FILTER_NEEDS,
    depthwise: true,
    probe: {
      inputs: { x: X_SHAPE, dy: [P.n, P.oh, P.oh, P.c * P.m] },
      attrs: { strides: [P.s, P.s], dilations: [1, 1], pad: 'valid', filterShape: [P.k, P.k, P.c, P.m] },
      outShape: [P.k, P.k, P.c, P.m],
      ref: 'dW',
    },
  },
  {
    config: depthwiseBackpropInputWasmConfig,
    needs: DEPTHWISE_BACKPROP_INPUT_NEEDS,
    depthwise: true,
    probe: {
      inputs: { dy: [P.n, P.oh, P.oh, P.c * P.m], filter: [P.k, P.k, P.c, P.m] },
      attrs: { strides: [P.s, P.s], dilations: [1, 1], pad: 'valid', inputShape: X_SHAPE },
      outShape: X_SHAPE,
      ref: 'dx',
    },
  },
];

/** Native wasm configs this module replaced, so a failed probe can put them back. */
const replacedNatives = new Map<string, KernelConfig>();

/** Runs the probe; returns why it failed, or null. Frees everything it allocates. */
function runProbe(entry: Entry, backend: KernelBackend): string | null {
  const { probe, depthwise } = entry;
  const values: Record<string, Float32Array> = {
    x: probeValues(X_SHAPE, 1),
    filter: probeValues(depthwise ? [P.k, P.k, P.c, P.m] : [P.k, P.k, P.c, P.cout], 2),
    dy: probeValues([P.n, P.oh, P.oh, depthwise ? P.c * P.m : P.cout], 3),
  };
  const want = directGrads(depthwise, values.x, values.filter, values.dy)[probe.ref];
  const infos: TensorInfo[] = [];
  try {
    const inputs: Record<string, TensorInfo> = {};
    for (const [name, shape] of Object.entries(probe.inputs)) {
      const info: TensorInfo = { dataId: backend.write(values[name], shape, 'float32'), shape, dtype: 'float32' };
      infos.push(info);
      inputs[name] = info;
    }
    const out = entry.config.kernelFunc({ inputs, backend, attrs: probe.attrs });
    if (Array.isArray(out)) {
      infos.push(...out);
      return `returned ${out.length} tensors`;
    }
    infos.push(out);
    if (out.shape.join() !== probe.outShape.join()) return `probe output shape [${out.shape}] instead of [${probe.outShape}]`;
    const got = backend.readSync(out.dataId) as Float32Array;
    for (let i = 0; i < want.length; i++) {
      if (Math.abs(got[i] - want[i]) > 1e-3) return `probe value #${i} is ${got[i]}, expected ${want[i]}`;
    }
    return null;
  } catch (e) {
    return `probe threw: ${(e as Error).message}`;
  } finally {
    for (const t of infos) backend.disposeData(t.dataId);
  }
}

/**
 * Registers the composed training kernels for the 'wasm' backend. Idempotent: a second call
 * replaces this module's own registrations with themselves. A kernel whose building blocks are
 * missing or look changed is not registered (any native one stays) and goes into `failed` with
 * the reason; nothing throws. When the wasm backend is already initialised, each kernel also runs
 * a tiny known-answer probe before it is reported as registered (before initialisation only the
 * static checks are possible: registered, a function taking one `{inputs, backend, attrs}`).
 */
export function registerWasmTrainingKernels(): KernelRegistrationReport {
  const report: KernelRegistrationReport = { registered: [], failed: [] };
  const backend = tf.engine().registry['wasm'] as KernelBackend | undefined;
  for (const entry of ENTRIES) {
    const name = entry.config.kernelName;
    try {
      const problems = entry.needs.map(checkWasmKernel).filter((p): p is string => p != null);
      if (problems.length > 0) {
        // A registration of ours from an earlier call must not outlive its building blocks.
        if (tf.getKernel(name, 'wasm')?.kernelFunc === entry.config.kernelFunc) {
          tf.unregisterKernel(name, 'wasm');
          const native = replacedNatives.get(name);
          if (native != null) tf.registerKernel(native);
        }
        report.failed.push({ kernel: name, reason: `cannot compose ${name}: ${problems.join('; ')}` });
        continue;
      }
      const existing = tf.getKernel(name, 'wasm');
      if (existing != null) {
        if (existing.kernelFunc !== entry.config.kernelFunc) replacedNatives.set(name, existing);
        tf.unregisterKernel(name, 'wasm');
      }
      tf.registerKernel(entry.config);
      const probeProblem = backend != null ? runProbe(entry, backend) : null;
      if (probeProblem != null) {
        tf.unregisterKernel(name, 'wasm');
        const native = replacedNatives.get(name);
        if (native != null) tf.registerKernel(native);
        report.failed.push({ kernel: name, reason: `${name} failed its self-check (${probeProblem})${native ? '; the native kernel stays registered' : ''}` });
        continue;
      }
      report.registered.push(name);
    } catch (e) {
      report.failed.push({ kernel: name, reason: `${name}: ${(e as Error).message}` });
    }
  }
  return report;
}
