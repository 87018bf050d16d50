/**
 * Channel groups (dependency analysis) for structured pruning: the sets of output channels that
 * must be removed together so the pruned graph still computes a consistent function. This is what
 * Torch-Pruning's DependencyGraph does (Fang et al. 2023, "DepGraph", arXiv:2301.12900) and NNI's
 * ModelSpeedup infers by tracing; tfmot has no structured pruning of this kind.
 *
 * A group is one "channel space": a conv2d or dense creates one (its output channels); BatchNorm,
 * activations, pooling, dropout, global average pooling, Flatten and a depthwise conv with depth
 * multiplier 1 carry channel c through as channel c; Add merges the spaces of all its inputs, so
 * the producers on both sides of a residual join one group. The group's consumers are the conv2d
 * and dense layers that read it (their input channels / input rows lose the same indices).
 *
 * A group is not prunable ("blocked") when its channels are the model input's or the model
 * output's, when a softmax normalizes across them, or when a depthwise conv with depth multiplier
 * > 1 reads them (its output channel c*mult+m is tied to input channel c; pruning through it is
 * not supported).
 */
import { inferShapes } from '../graph/shapes';
import type { Graph } from '../graph/ir';

export interface ChannelConsumer {
  name: string;
  /**
   * How many times the channel axis repeats in the consumer's input: 1 for a conv2d or a dense
   * after global pooling; H*W for a dense after Flatten of an HxWxC map, whose input row
   * p*C + c reads channel c (Flatten of NHWC is channel-fastest).
   */
  repeat: number;
}

export interface ChannelGroup {
  /** Number of channels in the group before pruning. */
  channels: number;
  /** conv2d / dense nodes whose output channels form the group (ranked by their filters). */
  producers: string[];
  /** BatchNorm and depthwise (multiplier 1) nodes that carry the channels through. */
  passthrough: string[];
  consumers: ChannelConsumer[];
  /** Why the group cannot be pruned; absent when it can. */
  blockedBy?: string;
}

interface Space {
  channels: number;
  producers: string[];
  passthrough: string[];
  consumers: ChannelConsumer[];
  blocks: string[];
  /** Topological position of the node that created it; orders the groups. */
  order: number;
}

interface Tensor {
  space: number;
  repeat: number;
}

function find(parent: number[], i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/** The graph's channel groups in topological order of their first producer (or creator). */
export function findChannelGroups(g: Graph): ChannelGroup[] {
  const shapes = inferShapes(g);
  const spaces: Space[] = [];
  const parent: number[] = [];
  const tensors = new Map<string, Tensor>();
  const make = (channels: number, order: number): number => {
    spaces.push({ channels, producers: [], passthrough: [], consumers: [], blocks: [], order });
    parent.push(parent.length);
    return parent.length - 1;
  };
  const block = (s: number, reason: string) => spaces[s].blocks.push(reason);

  g.nodes.forEach((n, order) => {
    const x = n.inputs.length ? tensors.get(n.inputs[0])! : undefined;
    let out: Tensor;
    switch (n.op) {
      case 'input': {
        out = { space: make(n.shape[2], order), repeat: 1 };
        block(out.space, `its channels are the model input's ("${n.name}")`);
        break;
      }
      case 'conv2d':
      case 'dense': {
        spaces[x!.space].consumers.push({ name: n.name, repeat: x!.repeat });
        out = { space: make(n.kernel.shape[n.kernel.shape.length - 1], order), repeat: 1 };
        spaces[out.space].producers.push(n.name);
        break;
      }
      case 'depthwise': {
        const mult = n.kernel.shape[3];
        if (mult === 1) {
          spaces[x!.space].passthrough.push(n.name);
          out = x!;
        } else {
          const why = `depthwise "${n.name}" has depth multiplier ${mult}; pruning through it is not supported`;
          block(x!.space, why);
          out = { space: make(n.kernel.shape[2] * mult, order), repeat: 1 };
          block(out.space, why);
        }
        break;
      }
      case 'batchnorm':
        spaces[x!.space].passthrough.push(n.name);
        out = x!;
        break;
      case 'add': {
        const ins = n.inputs.map((i) => tensors.get(i)!);
        for (const t of ins.slice(1)) {
          parent[find(parent, t.space)] = find(parent, x!.space);
          if (t.repeat !== x!.repeat) block(x!.space, `Add "${n.name}" joins flattened tensors of different layouts`);
        }
        out = x!;
        break;
      }
      case 'flatten': {
        const s = shapes.get(n.inputs[0])!;
        out = { space: x!.space, repeat: s.length === 3 ? x!.repeat * s[0] * s[1] : x!.repeat };
        break;
      }
      default: // activation, pooling, gap, dropout: channel c stays channel c
        out = x!;
    }
    // Softmax divides every channel by a sum over all of them, so none can be removed alone.
    if ('activation' in n && n.activation === 'softmax') block(out.space, `"${n.name}" applies a softmax across them`);
    tensors.set(n.name, out);
  });
  block(tensors.get(g.output)!.space, `they are the model output ("${g.output}")`);

  const merged = new Map<number, Space>();
  spaces.forEach((s, i) => {
    const root = find(parent, i);
    const m = merged.get(root);
    if (!m) {
      merged.set(root, { ...s, producers: [...s.producers], passthrough: [...s.passthrough], consumers: [...s.consumers], blocks: [...s.blocks] });
      return;
    }
    m.producers.push(...s.producers);
    m.passthrough.push(...s.passthrough);
    m.consumers.push(...s.consumers);
    m.blocks.push(...s.blocks);
    m.order = Math.min(m.order, s.order);
  });
  return [...merged.values()]
    .sort((a, b) => a.order - b.order)
    .map((s) => ({
      channels: s.channels,
      producers: s.producers,
      passthrough: s.passthrough,
      consumers: s.consumers,
      ...(s.blocks.length ? { blockedBy: s.blocks[0] } : {}),
    }));
}

/** The group whose channels a node's output carries (for a producer: its own output channels). */
export function groupOfOutput(groups: ChannelGroup[], name: string): ChannelGroup | undefined {
  return groups.find((gr) => gr.producers.includes(name) || gr.passthrough.includes(name));
}
