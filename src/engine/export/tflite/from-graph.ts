/**
 * Engine graph -> TfliteModel (model.ts), in two flavours:
 * - full-integer int8 from a QuantizedModel (TFLite quantization spec: int8 activations with the
 *   model's per-tensor parameters, symmetric int8 kernels per output channel for CONV_2D and
 *   DEPTHWISE_CONV_2D and per tensor for FULLY_CONNECTED, int32 bias with scale = input scale x
 *   kernel scale), with float I/O through QUANTIZE/DEQUANTIZE (default) or int8 I/O;
 * - float32 from an inference graph.
 * The graph must be an inference graph (prepareForInference: BN folded, ReLU/ReLU6 fused, dropout
 * gone). Layouts change from Keras' to TFLite's: conv [kh,kw,cin,cout] -> OHWI [cout,kh,kw,cin];
 * depthwise [kh,kw,cin,mult] -> [1,kh,kw,cin*mult] (the same bytes: channel ic*mult+m is last);
 * dense [in,out] -> [out,in].
 * Op versions are those TFLite's op_version.cc assigns for the tensor types written.
 */
import { StudioError } from '../../errors';
import type { Graph, GraphNode, WeightedNode } from '../../graph/ir';
import { inferShapes } from '../../graph/shapes';
import type { QuantParams } from '../../quantize/affine';
import type { QuantizedModel } from '../../quantize/quantize-graph';
import type { FusedActivationName, OperatorOptions, TensorQuantization, TfliteModel, TfliteTensor } from './model';
import { BuiltinOperator, type BuiltinOperatorCode, TensorType, type TensorTypeCode } from './schema';

/** 'float': float32 input and output, quantized inside the model; 'int8': the caller quantizes. */
import type { TfliteIo } from '../../choices/deploy';
export type { TfliteIo };

export interface TfliteExportOptions {
  io?: TfliteIo;
  /** Batch axis of the input (default 1, as TFLite Micro runs). */
  batch?: number;
  description?: string;
}

type Typed = Float32Array | Int8Array | Int32Array;

function bytesOf(a: Typed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

/** Keras conv kernel [kh,kw,cin,cout] -> TFLite OHWI [cout,kh,kw,cin]. */
export function convKernelToOhwi<T extends Float32Array | Int8Array>(v: T, shape: number[]): T {
  const [kh, kw, cin, cout] = shape;
  const out = new (v.constructor as new (n: number) => T)(v.length);
  for (let o = 0; o < cout; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) out[((o * kh + y) * kw + x) * cin + i] = v[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** Keras dense kernel [in,out] -> TFLite [out,in]. */
export function denseKernelToOi<T extends Float32Array | Int8Array>(v: T, shape: number[]): T {
  const [fin, fout] = shape;
  const out = new (v.constructor as new (n: number) => T)(v.length);
  for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) out[o * fin + i] = v[i * fout + o];
  return out;
}

function unsupported(n: GraphNode, why: string): StudioError {
  return new StudioError('export-unsupported', `Cannot export "${n.name}" (${n.op}) to TFLite: ${why}`, { node: n.name, op: n.op });
}

class ModelBuilder {
  readonly tensors: TfliteTensor[] = [];
  readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  readonly operators: TfliteModel['operators'] = [];

  tensor(name: string, shape: number[], type: TensorTypeCode, quantization?: TensorQuantization, data?: Uint8Array): number {
    let buffer = 0;
    if (data) {
      this.buffers.push(data);
      buffer = this.buffers.length - 1;
    }
    this.tensors.push({ name, shape, type, buffer, quantization });
    return this.tensors.length - 1;
  }

  op(op: BuiltinOperatorCode, version: number, inputs: number[], outputs: number[], options?: OperatorOptions): void {
    this.operators.push({ op, version, inputs, outputs, options });
  }
}

const perTensor = (p: QuantParams): TensorQuantization => ({ scale: [p.scale], zeroPoint: [p.zeroPoint], quantizedDimension: 0 });

function fusedActivation(n: GraphNode & { activation: string }, int8: boolean): [FusedActivationName, boolean] {
  if (n.activation === 'softmax') {
    if (int8) throw unsupported(n, 'a fused softmax has no calibrated range for the logits before it, so it has no int8 form here; export float32 or build the model with linear logits.');
    return ['linear', true];
  }
  return [n.activation as FusedActivationName, false];
}

/**
 * Builds the TFLite model of `g` (float32) or of the QuantizedModel `q` (int8, mode 'int8' only).
 */
function build(g: Graph, q: QuantizedModel | undefined, opts: TfliteExportOptions): TfliteModel {
  const int8 = q !== undefined;
  const batch = opts.batch ?? 1;
  const io = opts.io ?? 'float';
  const shapes = inferShapes(g);
  const shapeOf = (name: string) => [batch, ...shapes.get(name)!];
  const b = new ModelBuilder();
  const out = new Map<string, number>(); // node name -> tensor index
  const actType = int8 ? TensorType.INT8 : TensorType.FLOAT32;
  const actQuant = (name: string) => (int8 ? perTensor(q.activations[name]) : undefined);
  const v = (int8: number, float: number) => (q ? int8 : float);
  let modelInput = -1;

  /** Kernel and bias constants of a weighted node, in TFLite layout. */
  function weights(n: WeightedNode): [number, number] {
    const outCh = n.op === 'depthwise' ? n.kernel.shape[2] * n.kernel.shape[3] : n.kernel.shape[n.kernel.shape.length - 1];
    const tShape = n.op === 'conv2d' ? [outCh, n.kernel.shape[0], n.kernel.shape[1], n.kernel.shape[2]] : n.op === 'depthwise' ? [1, n.kernel.shape[0], n.kernel.shape[1], outCh] : [outCh, n.kernel.shape[0]];
    const relayout = <T extends Float32Array | Int8Array>(a: T): T => (n.op === 'conv2d' ? convKernelToOhwi(a, n.kernel.shape) : n.op === 'dense' ? denseKernelToOi(a, n.kernel.shape) : a);
    if (!q) {
      const kernel = b.tensor(`${n.name}/kernel`, tShape, TensorType.FLOAT32, undefined, bytesOf(relayout(n.kernel.values)));
      const bias = b.tensor(`${n.name}/bias`, [outCh], TensorType.FLOAT32, undefined, bytesOf(n.bias?.values ?? new Float32Array(outCh)));
      return [kernel, bias];
    }
    const w = q.weights[n.name];
    if (!w || !w.bias || w.inputScale === undefined) throw new StudioError('internal', `No int8 weights for "${n.name}" in the quantized model.`, { node: n.name }, 'bug');
    const axis = n.op === 'depthwise' ? 3 : 0;
    const zeros = w.kernelScales.map(() => 0);
    const kernel = b.tensor(`${n.name}/kernel`, tShape, TensorType.INT8, { scale: w.kernelScales, zeroPoint: zeros, quantizedDimension: axis }, bytesOf(relayout(w.kernel)));
    const biasScales = w.kernelScales.map((s) => w.inputScale! * s);
    const bias = b.tensor(`${n.name}/bias`, [outCh], TensorType.INT32, { scale: biasScales, zeroPoint: zeros, quantizedDimension: 0 }, bytesOf(w.bias));
    return [kernel, bias];
  }

  /** An activation tensor for node `n` (own quantization unless `like` gives the source's). */
  const activation = (n: GraphNode, like?: string) => b.tensor(n.name, shapeOf(n.name), actType, actQuant(like ?? n.name));

  /** Appends a float SOFTMAX after `x` when the node's softmax could not be fused. */
  function softmaxAfter(n: GraphNode, x: number): number {
    const y = b.tensor(`${n.name}/softmax`, shapeOf(n.name), TensorType.FLOAT32);
    b.op(BuiltinOperator.SOFTMAX, 1, [x], [y], { kind: 'softmax', beta: 1 });
    return y;
  }

  for (const n of g.nodes) {
    const x = n.inputs.length ? out.get(n.inputs[0])! : -1;
    switch (n.op) {
      case 'input': {
        if (!int8 || io === 'int8') {
          modelInput = activation(n);
          out.set(n.name, modelInput);
        } else {
          modelInput = b.tensor(`${n.name}/float`, shapeOf(n.name), TensorType.FLOAT32);
          const t = activation(n);
          b.op(BuiltinOperator.QUANTIZE, 1, [modelInput], [t], { kind: 'quantize' });
          out.set(n.name, t);
        }
        break;
      }
      case 'conv2d':
      case 'depthwise': {
        const [act, softmax] = fusedActivation(n, int8);
        const [kernel, bias] = weights(n);
        let y = activation(n);
        const common = { padding: n.padding, strideH: n.strides[0], strideW: n.strides[1], activation: act };
        if (n.op === 'conv2d') b.op(BuiltinOperator.CONV_2D, v(3, 1), [x, kernel, bias], [y], { kind: 'conv2d', ...common });
        else b.op(BuiltinOperator.DEPTHWISE_CONV_2D, v(3, 1), [x, kernel, bias], [y], { kind: 'depthwise', depthMultiplier: n.kernel.shape[3], ...common });
        if (softmax) y = softmaxAfter(n, y);
        out.set(n.name, y);
        break;
      }
      case 'dense': {
        const inShape = shapes.get(n.inputs[0])!;
        if (inShape.length !== 1) throw unsupported(n, `it reads a tensor of shape [${inShape.join(',')}]; TFLite's FULLY_CONNECTED flattens its input, Keras' Dense does not. Add a Flatten or GlobalAveragePooling before it.`);
        const [act, softmax] = fusedActivation(n, int8);
        const [kernel, bias] = weights(n);
        let y = activation(n);
        b.op(BuiltinOperator.FULLY_CONNECTED, v(4, 1), [x, kernel, bias], [y], { kind: 'fully-connected', activation: act });
        if (softmax) y = softmaxAfter(n, y);
        out.set(n.name, y);
        break;
      }
      case 'add': {
        if (n.inputs.length !== 2) throw unsupported(n, `TFLite's ADD takes 2 inputs, this node has ${n.inputs.length}.`);
        const [act, softmax] = fusedActivation(n, int8);
        let y = activation(n);
        b.op(BuiltinOperator.ADD, v(2, 1), [x, out.get(n.inputs[1])!], [y], { kind: 'add', activation: act });
        if (softmax) y = softmaxAfter(n, y);
        out.set(n.name, y);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        // int8 pooling keeps its input's parameters (TFLite requires equal input and output).
        const y = activation(n, n.inputs[0]);
        const op = n.op === 'maxpool' ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D;
        b.op(op, v(2, 1), [x], [y], { kind: 'pool', padding: n.padding, strideH: n.strides[0], strideW: n.strides[1], filterH: n.pool[0], filterW: n.pool[1], activation: 'linear' });
        out.set(n.name, y);
        break;
      }
      case 'gap': {
        const axes = b.tensor(`${n.name}/axes`, [2], TensorType.INT32, undefined, bytesOf(new Int32Array([1, 2])));
        const y = activation(n);
        b.op(BuiltinOperator.MEAN, v(2, 1), [x, axes], [y], { kind: 'reducer', keepDims: false });
        out.set(n.name, y);
        break;
      }
      case 'flatten': {
        const newShape = shapeOf(n.name);
        const shape = b.tensor(`${n.name}/shape`, [newShape.length], TensorType.INT32, undefined, bytesOf(new Int32Array(newShape)));
        const y = activation(n, n.inputs[0]);
        b.op(BuiltinOperator.RESHAPE, 1, [x, shape], [y], { kind: 'reshape', newShape });
        out.set(n.name, y);
        break;
      }
      case 'activation': {
        if (n.activation === 'linear' || (int8 && n.activation === 'softmax')) {
          if (n.activation === 'linear') out.set(n.name, x);
          else throw unsupported(n, 'int8 SOFTMAX needs the output scale 1/256 and zero point -128 that TFLite fixes, which the calibrated model does not use; export float32.');
          break;
        }
        if (n.activation === 'softmax') {
          const y = activation(n);
          b.op(BuiltinOperator.SOFTMAX, 1, [x], [y], { kind: 'softmax', beta: 1 });
          out.set(n.name, y);
          break;
        }
        const y = activation(n);
        b.op(n.activation === 'relu' ? BuiltinOperator.RELU : BuiltinOperator.RELU6, v(2, 1), [x], [y]);
        out.set(n.name, y);
        break;
      }
      case 'dropout':
        out.set(n.name, x);
        break;
      case 'batchnorm':
        throw unsupported(n, 'a BatchNormalization that could not be folded into the layer before it (prepareForInference folds it when that layer is linear and has no other reader).');
    }
  }

  let modelOutput = out.get(g.output)!;
  if (int8 && io === 'float') {
    const y = b.tensor(`${g.output}/float`, b.tensors[modelOutput].shape, TensorType.FLOAT32);
    b.op(BuiltinOperator.DEQUANTIZE, 2, [modelOutput], [y], { kind: 'dequantize' });
    modelOutput = y;
  }
  const what = int8 ? `full-integer int8 (${q.granularity} kernels, ${io} I/O)` : 'float32';
  return {
    description: opts.description ?? `Compression Studio: ${g.name}, ${what}`,
    subgraphName: g.name,
    tensors: b.tensors,
    operators: b.operators,
    inputs: [modelInput],
    outputs: [modelOutput],
    buffers: b.buffers,
  };
}

/** The float32 TFLite model of an inference graph. */
export function float32TfliteModel(g: Graph, opts: TfliteExportOptions = {}): TfliteModel {
  return build(g, undefined, opts);
}

/** The full-integer int8 TFLite model of a QuantizedModel in mode 'int8'. */
export function int8TfliteModel(q: QuantizedModel, opts: TfliteExportOptions = {}): TfliteModel {
  if (q.mode !== 'int8') {
    throw new StudioError('export-unsupported', `Only full-integer int8 models export as int8 TFLite; this model is "${q.mode}". Export float32, or quantize with --quant int8.`, { mode: q.mode });
  }
  return build(q.graph, q, opts);
}
