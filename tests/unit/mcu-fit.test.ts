/**
 * Microcontroller fit check (src/engine/export/mcu-fit.ts): the greedy arena plan of a small
 * exported model computed by hand (sizes rounded to 16 bytes, lifetimes from producer to last
 * reader, largest first at the lowest free offset), the per-op live bytes, and the verdicts.
 */
import { describe, expect, it } from 'vitest';
import { checkFit, customProfile, getProfile, MCU_PROFILES, planArena } from '../../src/engine/export/mcu-fit';
import { exportInt8Tflite } from '../../src/engine/export/tflite/export';
import type { Graph, WeightArray } from '../../src/engine/graph/ir';
import { quantizeGraph } from '../../src/engine/quantize/quantize-graph';

const w = (shape: number[], fill: number): WeightArray => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

// input [4,4,1] -> conv 3x3 x2 (same) -> maxpool 2x2/2 -> flatten -> dense 8->3
const g: Graph = {
  name: 'tiny',
  output: 'd',
  nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [4, 4, 1] },
    { name: 'c', op: 'conv2d', inputs: ['in'], kernel: w([3, 3, 1, 2], 0.5), strides: [1, 1], padding: 'same', activation: 'relu' },
    { name: 'p', op: 'maxpool', inputs: ['c'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
    { name: 'f', op: 'flatten', inputs: ['p'] },
    { name: 'd', op: 'dense', inputs: ['f'], kernel: w([8, 3], 0.25), activation: 'linear' },
  ],
};
const q = quantizeGraph(g, 'int8', 'per-channel', { in: { min: 0, max: 1 }, c: { min: 0, max: 4 }, d: { min: -2, max: 2 } });

describe('arena plan', () => {
  it('float I/O: plans 80 bytes, by hand', () => {
    // ops: 0 QUANTIZE, 1 CONV_2D, 2 MAX_POOL_2D, 3 RESHAPE, 4 FULLY_CONNECTED, 5 DEQUANTIZE
    // tensor      bytes -> aligned  lifetime   placed (largest first, lowest free offset)
    // in/float    64       64       [0,0]      0
    // c           32       32       [1,2]      0   (in/float is dead by then)
    // in          16       16       [0,1]      64  (overlaps in/float [0,64) and c [0,32))
    // p            8       16       [2,3]      32  (above c)
    // f            8       16       [3,4]      0   (the gap below p)
    // d            3       16       [4,5]      16  (above f)
    // d/float     12       16       [5,5]      0   (the gap below d)
    const plan = planArena(exportInt8Tflite(q).bytes);
    const byName = Object.fromEntries(plan.buffers.map((b) => [b.name, [b.bytes, b.firstOp, b.lastOp, b.offset]]));
    expect(byName).toEqual({
      'in/float': [64, 0, 0, 0],
      in: [16, 0, 1, 64],
      c: [32, 1, 2, 0],
      p: [16, 2, 3, 32],
      f: [16, 3, 4, 0],
      d: [16, 4, 5, 16],
      'd/float': [16, 5, 5, 0],
    });
    expect(plan.arenaBytes).toBe(80);
    expect(plan.perOp.map((o) => [o.op, o.liveBytes])).toEqual([
      ['QUANTIZE', 80],
      ['CONV_2D', 48],
      ['MAX_POOL_2D', 48],
      ['RESHAPE', 32],
      ['FULLY_CONNECTED', 32],
      ['DEQUANTIZE', 32],
    ]);
    expect(plan.peakLiveBytes).toBe(80);
    expect(plan.peakOp).toBe(0);
  });

  it('int8 I/O: 48 bytes (c at 0, in and p above it, f and d below p)', () => {
    const plan = planArena(exportInt8Tflite(q, { io: 'int8' }).bytes);
    expect(Object.fromEntries(plan.buffers.map((b) => [b.name, b.offset]))).toEqual({ in: 32, c: 0, p: 32, f: 0, d: 16 });
    expect(plan.arenaBytes).toBe(48);
    expect(plan.peakLiveBytes).toBe(48);
  });
});

describe('fit verdict', () => {
  const plan = { arenaBytes: 80 * 1024 };
  it('fits a board with room, with the margins', () => {
    const f = checkFit(300 * 1024, plan, getProfile('arduino-nano-33-ble-sense'));
    expect(f.fits).toBe(true);
    expect(f.flash).toEqual({ needBytes: 300 * 1024, haveBytes: 1024 * 1024, marginBytes: 724 * 1024, fits: true });
    expect(f.ram.marginBytes).toBe(176 * 1024);
    expect(f.verdict).toMatch(/^Fits the Arduino Nano 33 BLE Sense/);
    expect(f.verdict).toContain('176.0 KB left');
  });

  it('says which resource is short, and by how much; reserves count against the board', () => {
    const f = checkFit(1200 * 1024, plan, getProfile('stm32f746'));
    expect(f.fits).toBe(false);
    expect(f.flash.fits).toBe(false);
    expect(f.ram.fits).toBe(true);
    expect(f.verdict).toContain('flash needs 1200.0 KB, has 1024.0 KB (176.0 KB short)');
    const tight = checkFit(1000, plan, customProfile(96 * 1024, 4096, 'My board'), { ramReserveBytes: 32 * 1024 });
    expect(tight.ram).toEqual({ needBytes: 80 * 1024, haveBytes: 64 * 1024, marginBytes: -16 * 1024, fits: false });
    expect(tight.verdict).toMatch(/^Does not fit the My board/);
  });

  it('lists the four boards of the issue, and refuses bad custom boards and unknown ids', () => {
    expect(MCU_PROFILES.map((p) => [p.id, p.ramBytes / 1024, p.flashBytes / 1024])).toEqual([
      ['arduino-nano-33-ble-sense', 256, 1024],
      ['raspberry-pi-pico', 264, 2048],
      ['esp32', 520, 4096],
      ['stm32f746', 320, 1024],
    ]);
    expect(() => customProfile(0, 1024)).toThrow(/RAM must be a positive/);
    expect(() => getProfile('uno')).toThrow(expect.objectContaining({ code: 'bad-settings' }));
  });
});
