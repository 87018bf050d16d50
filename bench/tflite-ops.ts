/**
 * Cuts a TfliteModel into one model per operator, for timing operators one by one: TFLite's
 * profiler in @tensorflow/tfjs-tflite reports the whole XNNPACK-delegated graph as one node.
 * Each piece keeps the operator's tensors (types, quantization, constant buffers) as they are in
 * the whole model; its activation input becomes the model input and its output the model output,
 * so it runs the same kernel on the same shapes. Operators with two activation inputs (ADD) are
 * left out: the runtime seam takes one input.
 */
import type { TfliteModel } from '../src/engine/export/tflite/model';
import { BUILTIN_OPERATOR_NAMES, BuiltinOperator, TensorType } from '../src/engine/export/tflite/schema';

export interface SingleOp {
  /** Name of the operator's output tensor (the graph node's name): pairs float32 and int8 ops. */
  output: string;
  op: string;
  /** e.g. "[1,28,28,1] -> [1,28,28,32]". */
  shapes: string;
  model: TfliteModel;
}

export function singleOpModels(m: TfliteModel): SingleOp[] {
  const out: SingleOp[] = [];
  for (const o of m.operators) {
    const activations = o.inputs.filter((i) => m.buffers[m.tensors[i].buffer].length === 0);
    if (activations.length !== 1 || o.outputs.length !== 1) continue;
    const used = [...new Set([...o.inputs, ...o.outputs])];
    const index = new Map(used.map((t, k) => [t, k]));
    const buffers: Uint8Array[] = [new Uint8Array(0)];
    const tensors = used.map((t) => {
      const src = m.tensors[t];
      let buffer = 0;
      if (src.buffer !== 0) {
        buffers.push(m.buffers[src.buffer]);
        buffer = buffers.length - 1;
      }
      return { ...src, buffer };
    });
    const shape = (t: number) => `[${m.tensors[t].shape.join(',')}]`;
    out.push({
      output: m.tensors[o.outputs[0]].name.replace(/\/(float|softmax)$/, ''),
      op: BUILTIN_OPERATOR_NAMES[o.op],
      shapes: `${shape(activations[0])} -> ${shape(o.outputs[0])}`,
      model: {
        ...m,
        description: `${m.description}: ${BUILTIN_OPERATOR_NAMES[o.op]} alone`,
        tensors,
        buffers,
        operators: [{ ...o, inputs: o.inputs.map((i) => index.get(i)!), outputs: o.outputs.map((i) => index.get(i)!) }],
        inputs: [index.get(activations[0])!],
        outputs: [index.get(o.outputs[0])!],
      },
    });
  }
  return out;
}

/** The smallest model an invoke can run (RESHAPE of one float): the runtime's per-invoke cost. */
export function emptyModel(): TfliteModel {
  return {
    description: 'invoke overhead',
    subgraphName: 'empty',
    tensors: [
      { name: 'x', shape: [1, 1], type: TensorType.FLOAT32, buffer: 0 },
      { name: 'shape', shape: [2], type: TensorType.INT32, buffer: 1 },
      { name: 'y', shape: [1, 1], type: TensorType.FLOAT32, buffer: 0 },
    ],
    buffers: [new Uint8Array(0), new Uint8Array(new Int32Array([1, 1]).buffer)],
    operators: [{ op: BuiltinOperator.RESHAPE, version: 1, inputs: [0, 1], outputs: [2], options: { kind: 'reshape', newShape: [1, 1] } }],
    inputs: [0],
    outputs: [2],
  };
}
