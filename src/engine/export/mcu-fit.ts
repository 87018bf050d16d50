/**
 * Microcontroller fit check: does an exported .tflite fit a board's flash and RAM?
 *
 * Flash need = the .tflite file's bytes (TFLite Micro reads the model in place from flash; the
 * interpreter's code is not counted).
 *
 * RAM need = an estimate of TFLite Micro's tensor arena, planned as its GreedyMemoryPlanner plans
 * it (tflite-micro, micro/memory_planner/greedy_memory_planner.cc):
 * - every non-constant tensor of the (single) subgraph is one buffer, its size = elements x bytes
 *   per element rounded up to 16 bytes (MicroArenaBufferAlignment);
 * - a buffer lives from the operator that writes it (0 for a model input) to the last operator
 *   that reads it (the last operator for a model output), both inclusive;
 * - buffers are sorted by size, largest first (ties keep tensor order), and each is put at the
 *   lowest offset where it overlaps no already-placed buffer that is alive at the same time;
 * - arena = the highest end offset.
 * Not counted: the persistent part of the arena (TfLiteTensor/TfLiteEvalTensor structs, node and
 * registration data, per-channel multipliers and shifts: typically a few KB plus 8 bytes per
 * output channel of each conv), kernel scratch buffers (e.g. CMSIS-NN im2col), the stack, and the
 * application. RESHAPE is counted as a copy (no in-place aliasing), which older TFLite Micro
 * releases do and which keeps the estimate on the safe side. Leave headroom accordingly: the
 * verdict reports the margin, and `ramReserveBytes` reserves RAM for everything else.
 */
import { BOARDS, CUSTOM_BOARD } from '../choices/deploy';
import { StudioError } from '../errors';
import type { McuCore } from './mcu-latency';
import { type ParsedModel, parseTflite } from './tflite/reader';
import { TensorType } from './tflite/schema';

export const ARENA_ALIGNMENT = 16;

export interface ArenaBuffer {
  tensor: number;
  name: string;
  bytes: number;
  /** Operator indices, inclusive. */
  firstOp: number;
  lastOp: number;
  offset: number;
}

export interface OpMemory {
  index: number;
  op: string;
  /** Name of the operator's (first) output tensor. */
  output: string;
  /** Total aligned bytes of the tensors alive while this operator runs. */
  liveBytes: number;
}

export interface ArenaPlan {
  arenaBytes: number;
  /** Largest liveBytes over the operators (the arena can only be larger, by fragmentation). */
  peakLiveBytes: number;
  peakOp: number;
  buffers: ArenaBuffer[];
  perOp: OpMemory[];
  method: string;
}

const BYTES: Record<number, number> = { [TensorType.FLOAT32]: 4, [TensorType.FLOAT16]: 2, [TensorType.INT32]: 4, [TensorType.UINT8]: 1, [TensorType.INT64]: 8, [TensorType.INT16]: 2, [TensorType.INT8]: 1 };

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

export function planArena(model: Uint8Array | ParsedModel): ArenaPlan {
  const parsed = model instanceof Uint8Array ? parseTflite(model) : model;
  if (parsed.subgraphs.length !== 1) throw new StudioError('export-unsupported', `The arena plan handles single-subgraph models; this one has ${parsed.subgraphs.length}.`, {});
  const sg = parsed.subgraphs[0];
  const isConst = (t: number) => parsed.buffers[sg.tensors[t].buffer]?.length > 0;
  const lastOp = sg.operators.length - 1;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const t of sg.inputs) first.set(t, 0);
  sg.operators.forEach((o, i) => {
    for (const t of o.outputs) if (!first.has(t)) first.set(t, i);
    for (const t of o.inputs) if (t >= 0 && !isConst(t)) last.set(t, i);
  });
  for (const t of sg.outputs) last.set(t, lastOp);

  const buffers: ArenaBuffer[] = [];
  for (let t = 0; t < sg.tensors.length; t++) {
    if (isConst(t) || !first.has(t)) continue;
    const tensor = sg.tensors[t];
    const per = BYTES[tensor.type];
    if (per === undefined) throw new StudioError('export-unsupported', `Tensor "${tensor.name}" has type ${tensor.type}, which the arena plan does not size.`, { tensor: tensor.name });
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    buffers.push({ tensor: t, name: tensor.name, bytes: alignUp(elements * per, ARENA_ALIGNMENT), firstOp: first.get(t)!, lastOp: last.get(t) ?? first.get(t)!, offset: 0 });
  }

  // Greedy placement, largest first; `placed` is kept ordered by offset.
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || a - b);
  const placed: ArenaBuffer[] = [];
  const overlaps = (a: ArenaBuffer, b: ArenaBuffer) => a.firstOp <= b.lastOp && b.firstOp <= a.lastOp;
  for (const i of order) {
    const b = buffers[i];
    let candidate = 0;
    for (const p of placed) {
      if (!overlaps(p, b)) continue;
      if (p.offset - candidate >= b.bytes) break;
      candidate = Math.max(candidate, p.offset + p.bytes);
    }
    b.offset = candidate;
    const at = placed.findIndex((p) => p.offset > candidate);
    placed.splice(at < 0 ? placed.length : at, 0, b);
  }
  const arenaBytes = buffers.reduce((a, b) => Math.max(a, b.offset + b.bytes), 0);

  const perOp: OpMemory[] = sg.operators.map((o, i) => ({
    index: i,
    op: o.opName,
    output: sg.tensors[o.outputs[0]]?.name ?? '',
    liveBytes: buffers.filter((b) => b.firstOp <= i && i <= b.lastOp).reduce((a, b) => a + b.bytes, 0),
  }));
  const peak = perOp.reduce((best, m) => (m.liveBytes > best.liveBytes ? m : best), perOp[0] ?? { index: 0, liveBytes: 0 });
  return {
    arenaBytes,
    peakLiveBytes: peak.liveBytes,
    peakOp: peak.index,
    buffers,
    perOp,
    method:
      'TFLite Micro GreedyMemoryPlanner: non-constant tensors, 16-byte aligned, alive from their producer to their last reader, placed largest first at the lowest free offset; persistent overhead and kernel scratch buffers not counted',
  };
}

export interface McuProfile {
  id: string;
  label: string;
  ramBytes: number;
  flashBytes: number;
  /** The CPU core and its clock (listed boards; a custom board has neither). */
  core?: McuCore;
  clockMHz?: number;
}

const KB = 1024;

/** The listed boards (choices/deploy.ts BOARDS) as profiles. */
export const MCU_PROFILES: readonly McuProfile[] = BOARDS.options.map(({ id, label, ramBytes, flashBytes, core, clockMHz }) => ({ id, label, ramBytes, flashBytes, core, clockMHz }));

export function customProfile(ramBytes: number, flashBytes: number, label = 'Custom board'): McuProfile {
  for (const [name, v] of [
    ['RAM', ramBytes],
    ['flash', flashBytes],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new StudioError('bad-settings', `The custom board's ${name} must be a positive number of bytes, got ${v}.`, { [name]: v });
  }
  return { id: CUSTOM_BOARD.id, label, ramBytes, flashBytes };
}

export function getProfile(id: string): McuProfile {
  const p = MCU_PROFILES.find((m) => m.id === id);
  if (!p) throw new StudioError('bad-settings', `Unknown board "${id}". Boards: ${BOARDS.allowed}, or a custom one.`, { field: 'board', id });
  return p;
}

export interface ResourceFit {
  needBytes: number;
  haveBytes: number;
  /** haveBytes - needBytes (negative when it does not fit). */
  marginBytes: number;
  fits: boolean;
}

export interface McuFit {
  device: McuProfile;
  flash: ResourceFit;
  ram: ResourceFit;
  fits: boolean;
  verdict: string;
}

export interface FitOptions {
  /** RAM kept for the stack, the application and TFLite Micro's persistent data (default 0). */
  ramReserveBytes?: number;
  /** Flash kept for the firmware (default 0). */
  flashReserveBytes?: number;
}

const kb = (n: number) => `${(n / KB).toFixed(1)} KB`;

function resource(need: number, total: number, reserve: number): ResourceFit {
  const have = total - reserve;
  return { needBytes: need, haveBytes: have, marginBytes: have - need, fits: need <= have };
}

export function checkFit(modelBytes: number, plan: Pick<ArenaPlan, 'arenaBytes'>, device: McuProfile, opts: FitOptions = {}): McuFit {
  const flash = resource(modelBytes, device.flashBytes, opts.flashReserveBytes ?? 0);
  const ram = resource(plan.arenaBytes, device.ramBytes, opts.ramReserveBytes ?? 0);
  const part = (what: string, r: ResourceFit) => (r.fits ? `${what} ${kb(r.needBytes)} of ${kb(r.haveBytes)} (${kb(r.marginBytes)} left)` : `${what} needs ${kb(r.needBytes)}, has ${kb(r.haveBytes)} (${kb(-r.marginBytes)} short)`);
  const fits = flash.fits && ram.fits;
  const verdict = `${fits ? 'Fits' : 'Does not fit'} the ${device.label}: ${part('flash', flash)}; ${part('tensor arena', ram)}. The arena is an estimate without TFLite Micro's persistent data and scratch buffers.`;
  return { device, flash, ram, fits, verdict };
}
