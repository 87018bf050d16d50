/**
 * The microcontroller latency estimate (src/engine/export/mcu-latency.ts) on MLPerf Tiny's own
 * models, built here as engine graphs: ResNet-8 (image classification; the tiny repository's
 * training/image_classification/keras_model.py) and MobileNetV1 0.25 on 96x96 (visual wake words;
 * Keras' MobileNet with alpha 0.25 and 2 classes). Their MAC counts are checked by hand, the
 * estimates against the published latencies, and one small file's cycles by hand.
 */
import { describe, expect, it } from 'vitest';
import { MCU_PROFILES } from '../../src/engine/export/mcu-fit';
import { CALIBRATION, CALIBRATION_ERROR_PCT, CORE_MODELS, estimateForBoard, estimateLatency, type McuCore, opCost, workFromGraph, workFromTflite } from '../../src/engine/export/mcu-latency';
import { exportFloat32Tflite, exportInt8Tflite } from '../../src/engine/export/tflite/export';
import type { Graph, GraphNode, WeightArray } from '../../src/engine/graph/ir';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';

const w = (shape: number[]): WeightArray => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01) });

class GraphBuilder {
  nodes: GraphNode[];
  constructor(shape: [number, number, number]) {
    this.nodes = [{ name: 'input', op: 'input', inputs: [], shape }];
  }
  private add(n: GraphNode): string {
    this.nodes.push(n);
    return n.name;
  }
  conv(x: string, cin: number, cout: number, k: number, stride: number, activation: 'relu' | 'relu6' | 'linear'): string {
    const name = `conv${this.nodes.length}`;
    return this.add({ name, op: 'conv2d', inputs: [x], kernel: w([k, k, cin, cout]), bias: w([cout]), strides: [stride, stride], padding: 'same', activation });
  }
  dw(x: string, c: number, stride: number): string {
    const name = `dw${this.nodes.length}`;
    return this.add({ name, op: 'depthwise', inputs: [x], kernel: w([3, 3, c, 1]), bias: w([c]), strides: [stride, stride], padding: 'same', activation: 'relu6' });
  }
  sum(a: string, b: string): string {
    return this.add({ name: `add${this.nodes.length}`, op: 'add', inputs: [a, b], activation: 'relu' });
  }
  node(n: GraphNode): string {
    return this.add(n);
  }
  graph(name: string, output: string): Graph {
    return { name, nodes: this.nodes, output };
  }
}

/** MLPerf Tiny's ResNet-8 (BN folded into the convs, as the exported file has it). */
function resnet8(): Graph {
  const b = new GraphBuilder([32, 32, 3]);
  let x = b.conv('input', 3, 16, 3, 1, 'relu');
  let y = b.conv(x, 16, 16, 3, 1, 'relu');
  y = b.conv(y, 16, 16, 3, 1, 'linear');
  x = b.sum(x, y);
  for (const [cin, cout] of [
    [16, 32],
    [32, 64],
  ]) {
    y = b.conv(x, cin, cout, 3, 2, 'relu');
    y = b.conv(y, cout, cout, 3, 1, 'linear');
    x = b.sum(b.conv(x, cin, cout, 1, 2, 'linear'), y);
  }
  x = b.node({ name: 'pool', op: 'avgpool', inputs: [x], pool: [8, 8], strides: [8, 8], padding: 'valid' });
  x = b.node({ name: 'flatten', op: 'flatten', inputs: [x] });
  x = b.node({ name: 'logits', op: 'dense', inputs: [x], kernel: w([64, 10]), bias: w([10]), activation: 'linear' });
  return b.graph('resnet8', x);
}

/** Keras' MobileNet (alpha 0.25) on 96x96xC: stride-2 stem, 13 depthwise-separable blocks, 1x1 conv classifier. */
function mobilenet025(channels: number): Graph {
  const b = new GraphBuilder([96, 96, channels]);
  let x = b.conv('input', channels, 8, 3, 2, 'relu6');
  let c = 8;
  for (const [out, stride] of [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ]) {
    x = b.dw(x, c, stride);
    x = b.conv(x, c, out / 4, 1, 1, 'relu6');
    c = out / 4;
  }
  x = b.node({ name: 'gap', op: 'gap', inputs: [x] });
  x = b.node({ name: 'logits', op: 'dense', inputs: [x], kernel: w([256, 2]), bias: w([2]), activation: 'linear' });
  return b.graph(`mobilenet025x${channels}`, x);
}

const macs = (g: Graph) => workFromGraph(g).reduce((a, o) => a + o.macs, 0);
const models = { resnet8: resnet8(), 'mobilenet-v1-0.25-96x96x3': mobilenet025(3) };

describe('MLPerf Tiny models as engine graphs', () => {
  it('ResNet-8 has 12,501,632 MACs', () => {
    // stem 32*32*16*27 = 442,368; stack 1: 2 x 32*32*16*144 = 4,718,592;
    // stack 2: 16*16*32*144 + 16*16*32*288 + 16*16*32*16 = 3,670,016;
    // stack 3: 8*8*64*288 + 8*8*64*576 + 8*8*64*32 = 3,670,016; dense 64*10 = 640.
    expect(macs(models.resnet8)).toBe(442_368 + 4_718_592 + 3_670_016 + 3_670_016 + 640);
  });
  it('MobileNetV1 0.25 has 7,489,664 MACs on 96x96x3 and 7,157,888 on 96x96x1', () => {
    // Only the stem differs: 48*48*8*27 = 497,664 against 48*48*8*9 = 165,888.
    expect(macs(models['mobilenet-v1-0.25-96x96x3'])).toBe(7_489_664);
    expect(macs(mobilenet025(1))).toBe(7_489_664 - 497_664 + 165_888);
  });
  it('reads the same work from the exported .tflite as from the graph', () => {
    for (const g of Object.values(models)) {
      const fromFile = workFromTflite(exportFloat32Tflite(g).bytes);
      const total = (ws: typeof fromFile) => ws.reduce((a, o) => a + opCost(o), 0);
      expect(fromFile.reduce((a, o) => a + o.macs, 0)).toBe(macs(g));
      expect(total(fromFile)).toBe(total(workFromGraph(g)));
    }
  });
});

describe('estimate against MLPerf Tiny v1.0', () => {
  const errors = CALIBRATION.map((p) => {
    const est = estimateLatency(workFromGraph(models[p.model]), p.core, p.clockMHz);
    return { ...p, estimateMs: est.ms, errorPct: (est.ms / p.publishedMs - 1) * 100 };
  });

  for (const e of errors) {
    it(`${e.model} on ${e.board} (${e.core}, ${e.clockMHz} MHz): within 35% of ${e.publishedMs.toFixed(1)} ms`, () => {
      expect(Math.abs(e.errorPct)).toBeLessThan(35);
    });
  }

  it("is within 35% of the issue's round figures for ResNet-8: ~55 ms (M7, 280 MHz), ~110 ms (M33, 160 MHz), ~166 ms (M4, 120 MHz)", () => {
    const work = workFromGraph(models.resnet8);
    for (const [core, mhz, ms] of [
      ['cortex-m7', 280, 55],
      ['cortex-m33', 160, 110],
      ['cortex-m4', 120, 166],
    ] as const) {
      expect(Math.abs(estimateLatency(work, core, mhz).ms / ms - 1)).toBeLessThan(0.35);
    }
  });

  it('states its error on the calibration set as it is', () => {
    const lo = Math.min(...errors.map((e) => e.errorPct));
    const hi = Math.max(...errors.map((e) => e.errorPct));
    expect(lo).toBeCloseTo(CALIBRATION_ERROR_PCT.min, 1);
    expect(hi).toBeCloseTo(CALIBRATION_ERROR_PCT.max, 1);
  });

  it("matches ESP-NN's published ESP32 person-detection figure (380 ms at 240 MHz), the one point it is scaled to", () => {
    const est = estimateLatency(workFromGraph(mobilenet025(1)), 'xtensa-lx6', 240);
    expect(est.ms).toBeGreaterThan(380 * 0.99);
    expect(est.ms).toBeLessThan(380 * 1.01);
    expect(est.note).toMatch(/one published figure/);
  });
});

describe('per board', () => {
  // input [4,4,1] -> conv 3x3 1->2 (same) -> maxpool 2x2/2 -> flatten -> dense 8->3, int8 with float I/O
  const g: Graph = {
    name: 'tiny',
    output: 'd',
    nodes: [
      { name: 'in', op: 'input', inputs: [], shape: [4, 4, 1] },
      { name: 'c', op: 'conv2d', inputs: ['in'], kernel: w([3, 3, 1, 2]), strides: [1, 1], padding: 'same', activation: 'relu' },
      { name: 'p', op: 'maxpool', inputs: ['c'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
      { name: 'f', op: 'flatten', inputs: ['p'] },
      { name: 'd', op: 'dense', inputs: ['f'], kernel: w([8, 3]), activation: 'linear' },
    ],
  };
  const bytes = exportInt8Tflite(quantizeGraph(g, 'int8', 'per-channel', { in: { min: 0, max: 1 }, c: { min: 0, max: 4 }, d: { min: -2, max: 2 } })).bytes;

  it('costs a small file by hand', () => {
    // QUANTIZE 16 x 2 = 32; CONV_2D 32 outputs x 9 MACs = 288 + 28 x 32 = 1184; MAX_POOL 8 x 4 reads x 2 = 64;
    // RESHAPE 0; FULLY_CONNECTED 24 + 28 x 3 = 108; DEQUANTIZE 3 x 2 = 6: 1394 conv-MAC units.
    const nano = MCU_PROFILES.find((b) => b.id === 'arduino-nano-33-ble-sense')!;
    const est = estimateForBoard(bytes, nano)!;
    expect(est.cycles).toBeCloseTo(1394 * 1.54, 6);
    expect(est.ms).toBeCloseTo((1394 * 1.54) / 64e3, 9);
    expect(est.perOp[0]).toMatchObject({ name: 'c', op: 'CONV_2D' });
  });

  it('every board of the fit check has a core and a clock; a custom board has no estimate', () => {
    const cores: Record<string, [McuCore, number]> = {
      'arduino-nano-33-ble-sense': ['cortex-m4', 64],
      'raspberry-pi-pico': ['cortex-m0plus', 133],
      esp32: ['xtensa-lx6', 240],
      stm32f746: ['cortex-m7', 216],
    };
    for (const b of MCU_PROFILES) {
      expect([b.core, b.clockMHz]).toEqual(cores[b.id]);
      expect(estimateForBoard(bytes, b)!.ms).toBeGreaterThan(0);
    }
    expect(estimateForBoard(bytes, { core: undefined, clockMHz: undefined })).toBeUndefined();
  });

  it('says what it is: an estimate, and an extrapolation where nothing was published', () => {
    expect(estimateLatency([], 'cortex-m7', 216).note).toMatch(/^An estimate, not a measurement.*within -10.1% to \+11.5%/);
    expect(CORE_MODELS['cortex-m0plus'].calibration).toBe('none');
    expect(estimateLatency([], 'cortex-m0plus', 133).note).toMatch(/^A rough extrapolation/);
    expect(() => estimateLatency([], 'cortex-m4', 0)).toThrow(/positive number of MHz/);
  });
});
