/**
 * The compressed model as a tfjs LayersModel download: model.json (topology + weights manifest)
 * and one weights file, in the format tensorflowjs_converter writes and tf.loadLayersModel reads,
 * zipped together (fflate, deflate level 9) so one download holds both.
 *
 * Which weights: the ones tfjs computes with for the "after" figures. A float32 run exports its
 * pruned (fine-tuned, BN-folded) inference graph. float16 stores each weight as IEEE half in the
 * manifest's `quantization: {dtype: 'float16'}` (tfjs widens it at load, so the values are
 * exactly the rounded ones the run measured). int8 and weight-only int8 store the dequantized int8
 * weights as float32: tfjs has no int8 kernels, and its own uint8 weight quantization is affine
 * per tensor, which cannot hold per-channel scales; the real int8 artifact is the .tflite file.
 * Pruning zeros are stored as zeros: the zip's deflate is where they pay off.
 *
 * The inference graph fuses activations into Add nodes, which Keras' Add layer cannot carry, so
 * such an Add is written as Add + Activation (named "<add>_<activation>").
 */
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { cloneGraph, nodeWeights, type Graph, type GraphNode } from '../graph/ir';
import { layersModelFromGraph } from '../graph/to-layers';
import { float16Bits, roundToFloat16 } from '../quantize/float16';
import { effectiveWeight, type QuantizedModel } from '../quantize/quantize-graph';

export const TFJS_WEIGHTS_FILE = 'weights.bin';

export interface TfjsModelFiles {
  /** model.json text; its manifest names TFJS_WEIGHTS_FILE. */
  modelJson: string;
  weights: Uint8Array;
}

export interface TfjsModelExport {
  /** model.json and weights.bin in one zip. */
  zip: Uint8Array;
  modelJsonBytes: number;
  weightBytes: number;
  /** How the weights are stored in weights.bin. */
  weightFormat: 'float32' | 'float16';
  note: string;
}

/** The graph tfjs runs for a compressed model: quantized weights dequantized (or float16-rounded). */
export function tfjsGraph(compressed: Graph, q?: QuantizedModel): Graph {
  const g = cloneGraph(q ? q.graph : compressed);
  if (!q) return g;
  for (const n of g.nodes) for (const [key, w] of nodeWeights(n)) w.values = effectiveWeight(q, n, key, w.values);
  return g;
}

/** Add nodes with a fused activation split into Add + Activation; other nodes unchanged. */
function unfuseAdds(g: Graph): Graph {
  const renamed = new Map<string, string>();
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    const node = { ...n, inputs: n.inputs.map((i) => renamed.get(i) ?? i) } as GraphNode;
    if (node.op === 'add' && node.activation !== 'linear') {
      const act = `${node.name}_${node.activation}`;
      nodes.push({ ...node, activation: 'linear' }, { op: 'activation', name: act, inputs: [node.name], activation: node.activation });
      renamed.set(node.name, act);
    } else nodes.push(node);
  }
  return { ...g, nodes, output: renamed.get(g.output) ?? g.output };
}

/**
 * model.json + weights of a graph. `float16`: every weight is written as half precision (values
 * are rounded to float16 first, so a float16 graph is written exactly).
 */
export async function tfjsModelFiles(g: Graph, opts: { float16?: boolean } = {}): Promise<TfjsModelFiles> {
  const model = layersModelFromGraph(unfuseAdds(g));
  try {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = saved!;
    const raw = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(await new Blob((a.weightData as ArrayBuffer[]) ?? []).arrayBuffer());
    let specs = a.weightSpecs ?? [];
    let weights = raw;
    if (opts.float16) {
      const f32 = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      const half = new Uint16Array(f32.length);
      for (let i = 0; i < f32.length; i++) half[i] = float16Bits(roundToFloat16(f32[i]));
      weights = new Uint8Array(half.buffer);
      specs = specs.map((s) => ({ ...s, quantization: { dtype: 'float16' as const } }));
    }
    const modelJson = JSON.stringify({
      format: 'layers-model',
      generatedBy: 'compression-studio',
      convertedBy: null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
    });
    return { modelJson, weights };
  } finally {
    model.dispose();
  }
}

/** The zip entries' time stamp, from local date fields so that every time zone writes the same DOS time (which starts in 1980). */
const ZIP_MTIME = new Date(1980, 0, 2);

/** The compressed model as a zipped tfjs LayersModel (see the module comment for its weights). */
export async function exportTfjsModel(compressed: Graph, q?: QuantizedModel): Promise<TfjsModelExport> {
  const float16 = q?.mode === 'float16';
  const files = await tfjsModelFiles(tfjsGraph(compressed, q), { float16 });
  const json = strToU8(files.modelJson);
  // A fixed time stamp: the same model gives the same zip, byte for byte, in the worker and the CLI.
  const zip = zipSync({ 'model.json': json, [TFJS_WEIGHTS_FILE]: files.weights }, { level: 9, mtime: ZIP_MTIME });
  const note = float16
    ? 'Weights stored as float16 (tfjs widens them to float32 at load).'
    : q
      ? `Weights stored as float32: the ${q.mode} weights dequantized, as tfjs computes with them (tfjs has no int8 kernels; the .tflite file is the int8 model).`
      : 'Weights stored as float32.';
  return { zip, modelJsonBytes: json.length, weightBytes: files.weights.length, weightFormat: float16 ? 'float16' : 'float32', note };
}
