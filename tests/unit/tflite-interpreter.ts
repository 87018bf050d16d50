/**
 * Test helper: runs a parsed full-integer .tflite with the engine's independent integer reference
 * kernels (src/engine/quantize/int8-reference.ts), reading everything (layouts, scales, zero
 * points, options) from the file alone. Running the same QuantizedModel through runInt8Graph must
 * give bit-identical tensors: that checks the exporter's layouts and parameters end to end.
 */
import { parseTflite, type ParsedModel, type ParsedTensor } from '../../src/engine/export/tflite/reader';
import { BuiltinOperator, TensorType } from '../../src/engine/export/tflite/schema';
import { quantize } from '../../src/engine/quantize/affine';
import { addInt8, avgPoolInt8, conv2dInt8, depthwiseConv2dInt8, type FusedActivation, fullyConnectedInt8, maxPoolInt8, meanHWInt8, type QTensor } from '../../src/engine/quantize/int8-reference';

const ACT: Record<number, FusedActivation> = { 0: 'linear', 1: 'relu', 3: 'relu6' };
const PAD = ['same', 'valid'] as const;

function int8Data(m: ParsedModel, t: ParsedTensor): Int8Array {
  return new Int8Array(m.buffers[t.buffer].data.slice().buffer);
}

function int32Data(m: ParsedModel, t: ParsedTensor): Int32Array {
  return new Int32Array(m.buffers[t.buffer].data.slice().buffer);
}

function outQuant(t: ParsedTensor) {
  return { scale: t.quantization!.scale[0], zeroPoint: t.quantization!.zeroPoint[0] };
}

/** OHWI [cout,kh,kw,cin] -> Keras [kh,kw,cin,cout]. */
function ohwiToHwio(v: Int8Array, [cout, kh, kw, cin]: number[]): Int8Array {
  const out = new Int8Array(v.length);
  for (let o = 0; o < cout; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) out[((y * kw + x) * cin + i) * cout + o] = v[((o * kh + y) * kw + x) * cin + i];
  return out;
}

export type Value = QTensor | { float: Float32Array; shape: number[] };

/** Runs the model on one input (float for float I/O, int8 for int8 I/O); returns every tensor by name. */
export function runTfliteReference(bytes: Uint8Array, input: Float32Array | Int8Array): Map<string, Value> {
  const m = parseTflite(bytes);
  const sg = m.subgraphs[0];
  const vals = new Map<number, Value>();
  const inT = sg.tensors[sg.inputs[0]];
  vals.set(sg.inputs[0], inT.type === TensorType.INT8 ? { data: input as Int8Array, shape: inT.shape, ...outQuant(inT) } : { float: input as Float32Array, shape: inT.shape });
  const q = (i: number) => vals.get(i) as QTensor;
  for (const o of sg.operators) {
    const outT = sg.tensors[o.outputs[0]];
    const opt = o.options;
    let y: Value;
    switch (o.op) {
      case BuiltinOperator.QUANTIZE: {
        const x = vals.get(o.inputs[0]) as { float: Float32Array };
        const p = { ...outQuant(outT), qmin: -128, qmax: 127 };
        y = { data: Int8Array.from(x.float, (v) => quantize(v, p)), shape: outT.shape, ...outQuant(outT) };
        break;
      }
      case BuiltinOperator.DEQUANTIZE: {
        const x = q(o.inputs[0]);
        y = { float: Float32Array.from(x.data, (v) => x.scale * (v - x.zeroPoint)), shape: outT.shape };
        break;
      }
      case BuiltinOperator.CONV_2D:
      case BuiltinOperator.DEPTHWISE_CONV_2D:
      case BuiltinOperator.FULLY_CONNECTED: {
        const [x, w, b] = [q(o.inputs[0]), sg.tensors[o.inputs[1]], sg.tensors[o.inputs[2]]];
        const kernel = int8Data(m, w);
        const scales = w.quantization!.scale;
        const bias = int32Data(m, b);
        const act = ACT[opt.fused_activation_function as number];
        if (o.op === BuiltinOperator.FULLY_CONNECTED) {
          const [fout, fin] = w.shape;
          const k = new Int8Array(kernel.length);
          for (let i = 0; i < fin; i++) for (let j = 0; j < fout; j++) k[i * fout + j] = kernel[j * fin + i];
          y = fullyConnectedInt8(x, k, [fin, fout], scales, bias, act, outQuant(outT));
        } else {
          const conv = { strides: [opt.stride_h, opt.stride_w] as [number, number], padding: PAD[opt.padding as number], activation: act };
          if (o.op === BuiltinOperator.CONV_2D) y = conv2dInt8(x, ohwiToHwio(kernel, w.shape), [w.shape[1], w.shape[2], w.shape[3], w.shape[0]], scales, bias, conv, outQuant(outT));
          else {
            const mult = opt.depth_multiplier as number;
            y = depthwiseConv2dInt8(x, kernel, [w.shape[1], w.shape[2], w.shape[3] / mult, mult], scales, bias, conv, outQuant(outT));
          }
        }
        break;
      }
      case BuiltinOperator.ADD:
        y = addInt8(q(o.inputs[0]), q(o.inputs[1]), ACT[opt.fused_activation_function as number], outQuant(outT));
        break;
      case BuiltinOperator.MAX_POOL_2D:
      case BuiltinOperator.AVERAGE_POOL_2D: {
        const p = { pool: [opt.filter_height, opt.filter_width] as [number, number], strides: [opt.stride_h, opt.stride_w] as [number, number], padding: PAD[opt.padding as number] };
        y = o.op === BuiltinOperator.MAX_POOL_2D ? maxPoolInt8(q(o.inputs[0]), p) : avgPoolInt8(q(o.inputs[0]), p);
        break;
      }
      case BuiltinOperator.MEAN: {
        const axes = Array.from(int32Data(m, sg.tensors[o.inputs[1]]));
        if (axes.join() !== '1,2' || opt.keep_dims !== 0) throw new Error(`MEAN over [${axes}] keep_dims ${opt.keep_dims} is not what the exporter writes`);
        y = meanHWInt8(q(o.inputs[0]), outQuant(outT));
        break;
      }
      case BuiltinOperator.RESHAPE:
        y = { ...q(o.inputs[0]), shape: outT.shape };
        break;
      default:
        throw new Error(`reference interpreter: no kernel for ${o.opName}`);
    }
    vals.set(o.outputs[0], y);
  }
  return new Map([...vals].map(([i, v]) => [sg.tensors[i].name, v]));
}
