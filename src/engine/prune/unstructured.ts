/**
 * Unstructured (and N:M) pruning of a model's kernels: which layers take part, the masks, and
 * holding pruned weights at zero on a tfjs model through training (tfmot's prune_low_magnitude
 * wrapper does the same by multiplying each kernel by its mask after every optimizer step).
 * Biases, BatchNorm parameters and depthwise-free choices follow tfmot: only kernels are pruned.
 */
import * as tf from '@tensorflow/tfjs';
import { LAYER_KINDS, type LayerKind } from '../choices/prune';
import type { PruneMethod } from '../choices/prune-methods';
import { StudioError } from '../errors';
import { cloneGraph, type Graph, isWeighted, type WeightedNode } from '../graph/ir';
import { globalMagnitudeMasks, magnitudeMask, nmMask } from './magnitude';

export type { LayerKind };
/** The mask algorithms: one magnitude ranking per layer, one over all layers, or N:M groups. */
export type UnstructuredKind = Extract<PruneMethod, 'per-layer' | 'global' | 'n:m'>;

export interface UnstructuredOptions {
  kind: UnstructuredKind;
  /** Target fraction of pruned weights, 0-1 (ignored by N:M). */
  sparsity: number;
  /** Which layer kinds take part (default conv and dense, as tfmot's default prunable layers). */
  layerKinds?: LayerKind[];
  /** Leave the first and the last weighted layer dense (they are small and sensitive). */
  spareFirstLast?: boolean;
  /** Per-layer sparsity by node name, overriding `sparsity` (per-layer kind only). */
  overrides?: Record<string, number>;
  /** N and M for N:M sparsity (default 2:4). */
  n?: number;
  m?: number;
}

const kindOf = (n: WeightedNode): LayerKind => (n.op === 'conv2d' ? 'conv' : n.op);

export function prunableNodes(g: Graph, o: UnstructuredOptions): WeightedNode[] {
  const weighted = g.nodes.filter(isWeighted);
  const kinds = new Set(o.layerKinds ?? LAYER_KINDS.defaultIds);
  const first = weighted[0];
  const last = weighted[weighted.length - 1];
  return weighted.filter((n) => kinds.has(kindOf(n)) && !(o.spareFirstLast && (n === first || n === last)));
}

function checkSparsity(s: number, what: string): void {
  if (!(s >= 0 && s <= 1)) throw new StudioError('bad-settings', `${what} must be between 0 and 1 (got ${s}).`, { sparsity: s });
}

/** One mask per pruned node (node name -> mask over its kernel), at the given sparsity. */
export function unstructuredMasks(g: Graph, o: UnstructuredOptions, sparsity = o.sparsity): Map<string, Uint8Array> {
  checkSparsity(sparsity, 'Sparsity');
  const nodes = prunableNodes(g, o);
  const known = new Set(g.nodes.filter(isWeighted).map((n) => n.name));
  for (const [name, s] of Object.entries(o.overrides ?? {})) {
    if (!known.has(name)) throw new StudioError('bad-settings', `Per-layer override names "${name}", which is not a conv, depthwise or dense layer of this model.`, { layer: name });
    checkSparsity(s, `The override for "${name}"`);
  }
  const masks = new Map<string, Uint8Array>();
  if (o.kind === 'n:m') {
    for (const n of nodes) masks.set(n.name, nmMask(n.kernel.values, n.kernel.shape, o.n ?? 2, o.m ?? 4));
  } else if (o.kind === 'global') {
    const ms = globalMagnitudeMasks(
      nodes.map((n) => n.kernel.values),
      sparsity,
    );
    nodes.forEach((n, i) => masks.set(n.name, ms[i]));
  } else {
    // Overrides set a layer's final sparsity; during a gradual schedule they scale with it.
    const scale = o.sparsity > 0 ? sparsity / o.sparsity : 0;
    for (const n of nodes) {
      const s = o.overrides?.[n.name] !== undefined ? Math.min(1, o.overrides[n.name] * scale) : sparsity;
      masks.set(n.name, magnitudeMask(n.kernel.values, s));
    }
    for (const name of Object.keys(o.overrides ?? {})) {
      const n = g.nodes.find((m) => m.name === name) as WeightedNode;
      if (!masks.has(name)) masks.set(name, magnitudeMask(n.kernel.values, Math.min(1, o.overrides![name] * scale)));
    }
  }
  return masks;
}

export function applyMasks(g: Graph, masks: Map<string, Uint8Array>): Graph {
  const out = cloneGraph(g);
  for (const n of out.nodes) {
    const m = isWeighted(n) ? masks.get(n.name) : undefined;
    if (!m || !isWeighted(n)) continue;
    for (let i = 0; i < m.length; i++) if (!m[i]) n.kernel.values[i] = 0;
  }
  return out;
}

/**
 * Masks bound to a tfjs model's kernel variables: `apply()` zeroes the pruned weights (after each
 * optimizer step), `update()` swaps in new masks (a gradual schedule's next step).
 */
export class ModelMasks {
  private tensors = new Map<string, tf.Tensor>();

  constructor(
    private model: tf.LayersModel,
    masks: Map<string, Uint8Array>,
  ) {
    this.update(masks);
  }

  private kernelOf(name: string): tf.LayerVariable {
    const layer = this.model.getLayer(name);
    const v = layer.trainableWeights.find((w) => /kernel/.test(w.originalName));
    if (!v) throw new Error(`layer ${name} has no kernel`);
    return v;
  }

  update(masks: Map<string, Uint8Array>): void {
    this.dispose();
    for (const [name, m] of masks) {
      const v = this.kernelOf(name);
      this.tensors.set(name, tf.tensor(Float32Array.from(m), v.shape as number[]));
    }
    this.apply();
  }

  apply(): void {
    tf.tidy(() => {
      for (const [name, m] of this.tensors) {
        const v = this.kernelOf(name);
        v.write(tf.mul(v.read(), m));
      }
    });
  }

  dispose(): void {
    tf.dispose([...this.tensors.values()]);
    this.tensors.clear();
  }
}
