/**
 * Structured filter pruning by L1 or L2 filter norm, with real model surgery: whole output
 * channels are removed from the Graph, so the result is a smaller dense model (fewer parameters
 * and MACs on any runtime), not a masked one.
 *
 * Method (Li et al. 2017, arXiv:1608.08710): rank each channel group's channels by the norm of
 * their producers' filters (channel-norms.ts) and remove the lowest round(sparsity * C) of every
 * prunable group (channel-groups.ts), ties by lower index first, keeping at least minChannels.
 * Every group is ranked on the unpruned weights (Li et al.'s "independent" strategy), so the
 * result does not depend on the order in which groups are visited.
 * The sparsity is uniform per group, like Torch-Pruning's default (non-global) pruning_ratio and
 * NNI's L1NormPruner/L2NormPruner with one sparse_ratio for all ops; `overrides` set it per
 * group. tfmot only masks weights (prune_low_magnitude) and never shrinks layers.
 *
 * Coupled channels are pruned together: the producers of both inputs of an Add (a ResNet block's
 * last conv and its projection, or every block of a stage with identity shortcuts) form one
 * group ranked by the sum of their filter norms; a MobileNet depthwise (multiplier 1) and its
 * BatchNorms lose the channels of the pointwise conv before them, and the next pointwise conv
 * loses the matching input channels.
 *
 * Pruning without fine-tuning costs accuracy; callers are expected to fine-tune the result
 * (layersModelFromGraph makes it trainable).
 */
import { PRUNE_CRITERIA } from '../choices/prune';
import { StudioError } from '../errors';
import { cloneGraph, type Graph, isWeighted } from '../graph/ir';
import { inferShapes } from '../graph/shapes';
import { type ChannelGroup, findChannelGroups, groupOfOutput } from './channel-groups';
import { lowestChannels, type NormCriterion, outputChannelNorms } from './channel-norms';
import { keepChannels } from './channel-surgery';

export interface StructuredPruneOptions {
  /** Fraction 0-1 of each prunable group's channels to remove. */
  sparsity: number;
  criterion: NormCriterion;
  /**
   * Per-group sparsity, keyed by the name of a conv2d or dense node whose output channels the
   * group holds; it applies to the node's whole coupled group and wins over spareFirstLast.
   */
  overrides?: Record<string, number>;
  /**
   * Leave alone the first conv's output channels and the channels the last weighted layer (the
   * classifier) reads, which are commonly left unpruned because accuracy is most sensitive to them.
   */
  spareFirstLast?: boolean;
  /** Channels every group keeps at least; an integer >= 1 (default 1). */
  minChannels?: number;
}

export interface PrunedGroup {
  /** The group's producer names. */
  group: string[];
  before: number;
  kept: number;
  removed: number;
  /** Original indices of the kept channels, ascending. */
  keptChannels: number[];
}

export interface SkippedGroup {
  group: string[];
  channels: number;
  reason: string;
}

export interface StructuredPruneResult {
  graph: Graph;
  /** Every prunable group, in topological order (removed may be 0). */
  removed: PrunedGroup[];
  /** Groups left whole, and why. */
  skipped: SkippedGroup[];
}

function badOption(message: string, context: Record<string, unknown>): StudioError {
  return new StudioError('bad-settings', message, context);
}

function checkFraction(v: unknown, what: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw badOption(`${what} must be a fraction between 0 and 1; got ${String(v)}.`, { value: v });
  return v;
}

/** Per-group sparsity from the overrides, checked against the graph. */
function resolveOverrides(g: Graph, groups: ChannelGroup[], overrides: Record<string, number>): Map<ChannelGroup, number> {
  const byGroup = new Map<ChannelGroup, { value: number; layer: string }>();
  for (const [layer, raw] of Object.entries(overrides)) {
    const node = g.nodes.find((n) => n.name === layer);
    if (!node) throw badOption(`The sparsity override names the layer "${layer}", which this model does not have.`, { layer });
    if (node.op !== 'conv2d' && node.op !== 'dense') throw badOption(`The sparsity override names "${layer}", a ${node.op} layer; only conv2d and dense layers have filters to prune.`, { layer, op: node.op });
    const value = checkFraction(raw, `The sparsity override for "${layer}"`);
    const group = groupOfOutput(groups, layer)!;
    if (group.blockedBy && value > 0) throw badOption(`The output channels of "${layer}" cannot be pruned: ${group.blockedBy}.`, { layer });
    const seen = byGroup.get(group);
    if (seen && seen.value !== value) {
      throw badOption(`"${seen.layer}" and "${layer}" are pruned together (their channels are coupled), but their overrides differ (${seen.value} and ${value}).`, { layers: [seen.layer, layer] });
    }
    byGroup.set(group, { value, layer });
  }
  return new Map([...byGroup].map(([gr, o]) => [gr, o.value]));
}

/** Groups spareFirstLast leaves whole: the first conv's output and the classifier's input. */
function sparedGroups(g: Graph, groups: ChannelGroup[]): Map<ChannelGroup, string> {
  const spared = new Map<ChannelGroup, string>();
  const first = g.nodes.find((n) => n.op === 'conv2d' || n.op === 'dense');
  const last = [...g.nodes].reverse().find(isWeighted);
  const firstGroup = first && groupOfOutput(groups, first.name);
  if (firstGroup) spared.set(firstGroup, `spared: the output of the first layer "${first.name}"`);
  const lastGroup = last && groups.find((gr) => gr.consumers.some((c) => c.name === last.name) || gr.passthrough.includes(last.name));
  if (lastGroup && !spared.has(lastGroup)) spared.set(lastGroup, `spared: the input of the last layer "${last.name}"`);
  return spared;
}

function groupScores(g: Graph, group: ChannelGroup, criterion: NormCriterion): Float64Array {
  const scores = new Float64Array(group.channels);
  for (const name of group.producers) {
    const n = g.nodes.find((m) => m.name === name);
    if (n?.op !== 'conv2d' && n?.op !== 'dense') continue;
    const norms = outputChannelNorms(n.kernel, criterion);
    for (let c = 0; c < scores.length; c++) scores[c] += norms[c];
  }
  return scores;
}

export function structuredPrune(g: Graph, opts: StructuredPruneOptions): StructuredPruneResult {
  const sparsity = checkFraction(opts.sparsity, 'The pruning sparsity');
  if (!PRUNE_CRITERIA.has(opts.criterion)) throw badOption(`The pruning criterion must be ${PRUNE_CRITERIA.ids.map((id) => `"${id}"`).join(' or ')}; got "${String(opts.criterion)}".`, { criterion: opts.criterion });
  const minChannels = opts.minChannels ?? 1;
  if (!Number.isInteger(minChannels) || minChannels < 1) throw badOption(`minChannels must be a whole number of at least 1; got ${minChannels}.`, { minChannels });

  const groups = findChannelGroups(g);
  const overrides = resolveOverrides(g, groups, opts.overrides ?? {});
  const spared = opts.spareFirstLast ? sparedGroups(g, groups) : new Map<ChannelGroup, string>();
  const out = cloneGraph(g);
  const removed: PrunedGroup[] = [];
  const skipped: SkippedGroup[] = [];

  for (const group of groups) {
    if (group.blockedBy) {
      skipped.push({ group: group.producers, channels: group.channels, reason: group.blockedBy });
      continue;
    }
    const override = overrides.get(group);
    if (override === undefined && spared.has(group)) {
      skipped.push({ group: group.producers, channels: group.channels, reason: spared.get(group)! });
      continue;
    }
    const C = group.channels;
    const count = Math.max(0, Math.min(Math.round((override ?? sparsity) * C), C - minChannels));
    const drop = new Set(lowestChannels(groupScores(g, group, opts.criterion), count));
    const keep = Array.from({ length: C }, (_, c) => c).filter((c) => !drop.has(c));
    if (count > 0) keepChannels(out, group, keep);
    removed.push({ group: group.producers, before: C, kept: keep.length, removed: count, keptChannels: keep });
  }

  try {
    inferShapes(out);
  } catch (e) {
    throw new StudioError('internal', `Structured pruning produced an inconsistent graph: ${(e as Error).message}`, { model: g.name }, 'bug');
  }
  return { graph: out, removed, skipped };
}
