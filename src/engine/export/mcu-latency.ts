/**
 * Microcontroller latency ESTIMATE: milliseconds per int8 inference on a board's core and clock,
 * from a cycle model of optimized int8 kernels (CMSIS-NN-class on Cortex-M, ESP-NN on the ESP32).
 * It is an estimate, not a measurement: on the published results it is calibrated to (MLPerf Tiny
 * v1.0, below) it is within CALIBRATION_ERROR_PCT; a given model on a given board and engine can
 * differ by more (memory wait states, caches, the engine's kernels).
 *
 * The model, per operator (in "conv-MAC units", the cost of one multiply-accumulate of an int8
 * convolution), times the core's cycles per conv-MAC:
 *   conv / dense      macs + PER_OUTPUT x outputs
 *   depthwise         DEPTHWISE_MAC x macs + PER_OUTPUT x outputs
 *   add               PER_ADD x elements
 *   max/avg pool      PER_POOLED x (outputs x window)
 *   mean (global avg) PER_POOLED x input elements
 *   quantize etc.     PER_ELEMENTWISE x elements
 * PER_OUTPUT is the per-output-element work around the inner product (requantization with the
 * per-channel multiplier and shift, im2col and loop overhead), which is why a first conv with 3 or
 * 1 input channels costs more per MAC than a wide one.
 *
 * Where the constants come from:
 * - DEPTHWISE_MAC, PER_OUTPUT and the three Cortex-M cycles per conv-MAC were fitted together (least
 *   worst-case relative error) to eight MLPerf Tiny v1.0 closed-division latencies: ResNet-8 on
 *   CIFAR-10 (image classification, 12.5 M MACs, no depthwise) and MobileNetV1 0.25 96x96x3 (visual
 *   wake words, 7.5 M MACs of which 0.8 M depthwise) on four boards (CALIBRATION below; results in
 *   github.com/mlcommons/tiny_results_v1.0, closed/<org>/results/<board>/{ic,vww}/performance/
 *   results.txt, "Median throughput"). Using both models is what separates the depthwise cost from
 *   the conv cost: ResNet-8 alone cannot.
 * - ESP32 (Xtensa LX6, 240 MHz): ESP-NN's published TFLite Micro person-detection figure, 380 ms
 *   with ESP-NN (4084 ms without), internal memory (github.com/espressif/esp-tflite-micro
 *   README.md, "Performance Comparison"). That model is MobileNetV1 0.25 on 96x96x1 (7.2 M MACs);
 *   one point fixes the ESP32's cycles per conv-MAC, with the same relative costs, so the ESP32
 *   figure has no independent check.
 * - Cortex-M0+ (RP2040): no published per-inference figure was found. Extrapolated from the
 *   Cortex-M4: x2 because the M0+ lacks the DSP extension's dual 16-bit MAC (SMLAD) that CMSIS-NN's
 *   inner loops use, and x(3.42 / 2.46) for the cores' CoreMark/MHz (Arm's published figures).
 *   UNCALIBRATED: treat it as a rough order of magnitude.
 * The engines behind the calibration results are the fastest published (ST X-CUBE-AI, Plumerai);
 * an engine running CMSIS-NN's kernels can be slower: the one such submission on the same
 * Cortex-M4 board (OctoML, microTVM with CMSIS-NN; v1.0 closed/OctoML/results/microtvm_cmsis_nn/
 * NUCLEO_L4R5ZI/ic) took 389.6 ms for ResNet-8, 2.0x the estimate.
 * Lai et al. 2018 (CMSIS-NN, arXiv:1801.06601) describe the kernels (im2col + 2x2 SMLAD mat-mult)
 * whose cost structure this follows.
 */
import { StudioError } from '../errors';
import type { Graph } from '../graph/ir';
import { inferShapes } from '../graph/shapes';
import type { McuProfile } from './mcu-fit';
import { type ParsedModel, parseTflite } from './tflite/reader';
import { BuiltinOperator } from './tflite/schema';

export type OpKind = 'conv' | 'depthwise' | 'dense' | 'add' | 'pool' | 'mean' | 'elementwise' | 'free';

/** One operator's work, from a .tflite or an engine graph. */
export interface OpWork {
  name: string;
  /** The op as its source names it ("CONV_2D", "conv2d"). */
  op: string;
  kind: OpKind;
  /** Multiply-accumulates (conv, depthwise, dense). */
  macs: number;
  /** Output elements. */
  outputs: number;
  /** Input elements read (pool: outputs x window; mean: the input's elements). */
  reads: number;
}

/** Relative costs, in conv-MAC units (see the module comment). */
export const RELATIVE_COST = { depthwiseMac: 1.8, perOutput: 28, perAdd: 4, perPooled: 2, perElementwise: 2 } as const;

export interface CoreModel {
  label: string;
  cyclesPerConvMac: number;
  /** 'mlperf-tiny': fitted to several published results; 'one-point': one published figure; 'none': extrapolated. */
  calibration: 'mlperf-tiny' | 'one-point' | 'none';
  basis: string;
}

const coreModels = {
  'cortex-m4': { label: 'Arm Cortex-M4', cyclesPerConvMac: 1.54, calibration: 'mlperf-tiny', basis: 'MLPerf Tiny v1.0: NUCLEO-L4R5ZI (120 MHz), ResNet-8 and MobileNetV1 0.25' },
  'cortex-m33': { label: 'Arm Cortex-M33', cyclesPerConvMac: 1.16, calibration: 'mlperf-tiny', basis: 'MLPerf Tiny v1.0: B-U585I-IOT02A (160 MHz), ResNet-8 and MobileNetV1 0.25' },
  'cortex-m7': { label: 'Arm Cortex-M7', cyclesPerConvMac: 0.94, calibration: 'mlperf-tiny', basis: 'MLPerf Tiny v1.0: NUCLEO-H7A3ZI-Q (280 MHz) and DISCO-F746NG (216 MHz), ResNet-8 and MobileNetV1 0.25' },
  'xtensa-lx6': { label: 'Xtensa LX6 (ESP32)', cyclesPerConvMac: 6.38, calibration: 'one-point', basis: 'ESP-NN: TFLite Micro person detection, 380 ms at 240 MHz (one point)' },
  'cortex-m0plus': { label: 'Arm Cortex-M0+', cyclesPerConvMac: 4.28, calibration: 'none', basis: 'no published figure: Cortex-M4 x2 (no SMLAD) x CoreMark/MHz 3.42 / 2.46' },
} satisfies Record<string, CoreModel>;
/** The cores the latency model has cycle figures for: the keys of the table above, written once. */
export type McuCore = keyof typeof coreModels;
export const CORE_MODELS: Record<McuCore, CoreModel> = coreModels;

/** Worst relative errors of the estimate on the calibration set, percent (checked by tests/unit/mcu-latency.test.ts). */
export const CALIBRATION_ERROR_PCT = { min: -10.1, max: 11.5 } as const;

export interface CalibrationPoint {
  model: 'resnet8' | 'mobilenet-v1-0.25-96x96x3';
  board: string;
  core: McuCore;
  clockMHz: number;
  publishedMs: number;
  source: string;
}

const ic = (org: string, board: string) => `mlcommons/tiny_results_v1.0 closed/${org}/results/${board}/ic/performance/results.txt`;
const vww = (org: string, board: string) => `mlcommons/tiny_results_v1.0 closed/${org}/results/${board}/vww/performance/results.txt`;

/** MLPerf Tiny v1.0 closed division: 1000 / median throughput (inferences/s). */
export const CALIBRATION: readonly CalibrationPoint[] = [
  { model: 'resnet8', board: 'NUCLEO-H7A3ZI-Q (ST X-CUBE-AI)', core: 'cortex-m7', clockMHz: 280, publishedMs: 1000 / 18.401, source: ic('STMicroelectronics', 'NUCLEO-H7A3ZI-Q') },
  { model: 'resnet8', board: 'B-U585I-IOT02A (Plumerai)', core: 'cortex-m33', clockMHz: 160, publishedMs: 1000 / 9.341, source: ic('plumerai', 'B_U585I_IOT02A') },
  { model: 'resnet8', board: 'NUCLEO-L4R5ZI (Plumerai)', core: 'cortex-m4', clockMHz: 120, publishedMs: 1000 / 5.775, source: ic('plumerai', 'NUCLEO_L4R5ZI') },
  { model: 'resnet8', board: 'DISCO-F746NG (Plumerai)', core: 'cortex-m7', clockMHz: 216, publishedMs: 1000 / 15.44, source: ic('plumerai', 'DISCO_F746NG') },
  { model: 'mobilenet-v1-0.25-96x96x3', board: 'NUCLEO-H7A3ZI-Q (ST X-CUBE-AI)', core: 'cortex-m7', clockMHz: 280, publishedMs: 1000 / 19.722, source: vww('STMicroelectronics', 'NUCLEO-H7A3ZI-Q') },
  { model: 'mobilenet-v1-0.25-96x96x3', board: 'B-U585I-IOT02A (Plumerai)', core: 'cortex-m33', clockMHz: 160, publishedMs: 1000 / 9.342, source: vww('plumerai', 'B_U585I_IOT02A') },
  { model: 'mobilenet-v1-0.25-96x96x3', board: 'NUCLEO-L4R5ZI (Plumerai)', core: 'cortex-m4', clockMHz: 120, publishedMs: 1000 / 4.795, source: vww('plumerai', 'NUCLEO_L4R5ZI') },
  { model: 'mobilenet-v1-0.25-96x96x3', board: 'DISCO-F746NG (Plumerai)', core: 'cortex-m7', clockMHz: 216, publishedMs: 1000 / 17.535, source: vww('plumerai', 'DISCO_F746NG') },
];

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** An operator's cost in conv-MAC units. */
export function opCost(w: OpWork): number {
  const c = RELATIVE_COST;
  switch (w.kind) {
    case 'conv':
    case 'dense':
      return w.macs + c.perOutput * w.outputs;
    case 'depthwise':
      return c.depthwiseMac * w.macs + c.perOutput * w.outputs;
    case 'add':
      return c.perAdd * w.outputs;
    case 'pool':
    case 'mean':
      return c.perPooled * w.reads;
    case 'elementwise':
      return c.perElementwise * w.outputs;
    case 'free':
      return 0;
  }
}

/** The work of each operator of a single-subgraph .tflite (the batch axis included). */
export function workFromTflite(model: Uint8Array | ParsedModel): OpWork[] {
  const m = model instanceof Uint8Array ? parseTflite(model) : model;
  if (m.subgraphs.length !== 1) throw new StudioError('export-unsupported', `The latency estimate handles single-subgraph models; this one has ${m.subgraphs.length}.`, {});
  const sg = m.subgraphs[0];
  return sg.operators.map((o) => {
    const out = sg.tensors[o.outputs[0]];
    const input = sg.tensors[o.inputs[0]];
    const outputs = prod(out.shape);
    const base = { name: out.name, op: o.opName, outputs, macs: 0, reads: 0 };
    const wShape = o.inputs[1] !== undefined && o.inputs[1] >= 0 ? sg.tensors[o.inputs[1]].shape : [];
    switch (o.op) {
      case BuiltinOperator.CONV_2D: // weights OHWI [cout, kh, kw, cin]
        return { ...base, kind: 'conv', macs: outputs * wShape[1] * wShape[2] * wShape[3] };
      case BuiltinOperator.DEPTHWISE_CONV_2D: // weights [1, kh, kw, cout]
        return { ...base, kind: 'depthwise', macs: outputs * wShape[1] * wShape[2] };
      case BuiltinOperator.FULLY_CONNECTED: // weights [out, in]
        return { ...base, kind: 'dense', macs: outputs * wShape[1] };
      case BuiltinOperator.ADD:
        return { ...base, kind: 'add' };
      case BuiltinOperator.MAX_POOL_2D:
      case BuiltinOperator.AVERAGE_POOL_2D:
        return { ...base, kind: 'pool', reads: outputs * (o.options.filter_height as number) * (o.options.filter_width as number) };
      case BuiltinOperator.MEAN:
        return { ...base, kind: 'mean', reads: prod(input.shape) };
      case BuiltinOperator.RESHAPE:
        return { ...base, kind: 'free' };
      default:
        return { ...base, kind: 'elementwise' };
    }
  });
}

/**
 * The work of each node of an engine graph (batch 1), as its TFLite export would run it: batch
 * norm and activations fold into the conv before them, so they cost nothing here.
 */
export function workFromGraph(g: Graph): OpWork[] {
  const shapes = inferShapes(g);
  return g.nodes.map((n) => {
    const outShape = shapes.get(n.name)!;
    const outputs = prod(outShape);
    const base = { name: n.name, op: n.op, outputs, macs: 0, reads: 0 };
    switch (n.op) {
      case 'conv2d':
        return { ...base, kind: 'conv', macs: outputs * n.kernel.shape[0] * n.kernel.shape[1] * n.kernel.shape[2] };
      case 'depthwise':
        return { ...base, kind: 'depthwise', macs: outputs * n.kernel.shape[0] * n.kernel.shape[1] };
      case 'dense':
        return { ...base, kind: 'dense', macs: outputs * n.kernel.shape[0] };
      case 'add':
        return { ...base, kind: 'add' };
      case 'maxpool':
      case 'avgpool':
        return { ...base, kind: 'pool', reads: outputs * n.pool[0] * n.pool[1] };
      case 'gap':
        return { ...base, kind: 'mean', reads: prod(shapes.get(n.inputs[0])!) };
      default:
        return { ...base, kind: 'free' };
    }
  });
}

export interface OpLatency {
  name: string;
  op: string;
  cycles: number;
  ms: number;
}

export interface LatencyEstimate {
  core: McuCore;
  coreLabel: string;
  clockMHz: number;
  cycles: number;
  ms: number;
  calibration: CoreModel['calibration'];
  /** Slowest first. */
  perOp: OpLatency[];
  /** Says that this is an estimate, and how far off it was on its calibration set. */
  note: string;
}

export function estimateLatency(work: OpWork[], core: McuCore, clockMHz: number): LatencyEstimate {
  const m = CORE_MODELS[core];
  if (!m) throw new StudioError('bad-settings', `No latency model for core "${core}". Cores: ${Object.keys(CORE_MODELS).join(', ')}.`, { core });
  if (!Number.isFinite(clockMHz) || clockMHz <= 0) throw new StudioError('bad-settings', `The clock must be a positive number of MHz, got ${clockMHz}.`, { clockMHz });
  const perOp = work
    .map((w) => {
      const cycles = opCost(w) * m.cyclesPerConvMac;
      return { name: w.name, op: w.op, cycles, ms: cycles / (clockMHz * 1e3) };
    })
    .filter((o) => o.cycles > 0)
    .sort((a, b) => b.cycles - a.cycles);
  const cycles = perOp.reduce((a, o) => a + o.cycles, 0);
  const err = `${CALIBRATION_ERROR_PCT.min}% to +${CALIBRATION_ERROR_PCT.max}%`;
  const engines = 'an engine on CMSIS-NN kernels can take about twice as long (microTVM with CMSIS-NN: 389.6 ms for ResNet-8 on a 120 MHz Cortex-M4, 2.0x this estimate)';
  const note =
    m.calibration === 'mlperf-tiny'
      ? `An estimate, not a measurement: a cycle model of optimized int8 kernels on the ${m.label} at ${clockMHz} MHz (${m.basis}). On MLPerf Tiny's published Cortex-M results it is within ${err}; ${engines}.`
      : m.calibration === 'one-point'
        ? `An estimate, not a measurement: a cycle model of optimized int8 kernels on the ${m.label} at ${clockMHz} MHz, scaled to one published figure (${m.basis}) and not checked against any other; its Cortex-M form is within ${err} of MLPerf Tiny's results.`
        : `A rough extrapolation, not a measurement: no published int8 latency was found for the ${m.label} (${m.basis}).`;
  return { core, coreLabel: m.label, clockMHz, cycles, ms: cycles / (clockMHz * 1e3), calibration: m.calibration, perOp, note };
}

/** The estimate for a board of the fit check, or undefined for a board without a core and clock (a custom one). */
export function estimateForBoard(model: Uint8Array | ParsedModel, board: Pick<McuProfile, 'core' | 'clockMHz'>): LatencyEstimate | undefined {
  if (!board.core || !board.clockMHz) return undefined;
  return estimateLatency(workFromTflite(model), board.core, board.clockMHz);
}
