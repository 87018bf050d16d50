import * as tf from '@tensorflow/tfjs';
import { beforeAll, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { compileGraph } from '../../src/engine/graph/execute';
import type { Graph } from '../../src/engine/graph/ir';
import { prepareForInference } from '../../src/engine/graph/rewrite';
import { dequantize, quantize } from '../../src/engine/quantize/affine';
import { runInt8Graph } from '../../src/engine/quantize/int8-reference';
import { calibratedNodes, quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { compileQuantized } from '../../src/engine/quantize/simulate';
import { mulberry32 } from '../../src/engine/train/data-order';
beforeAll(async () => { await initBackend('wasm'); });
it('net', async () => {
  for (const seed of [1001, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  const rand = mulberry32(seed);
  const w = (shape: number[], a: number) => ({ shape, values: Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => (rand() * 2 - 1) * a) });
  const g = prepareForInference({ name: 'tiny', output: 'logits', nodes: [
        { name: 'in', op: 'input', inputs: [], shape: [12, 12, 3] },
        { name: 'c1', op: 'conv2d', inputs: ['in'], kernel: w([3, 3, 3, 10], 0.5), bias: w([10], 0.2), strides: [1, 1], padding: 'same', activation: 'linear' },
        { name: 'r1', op: 'activation', inputs: ['c1'], activation: 'relu' },
        { name: 'p1', op: 'maxpool', inputs: ['r1'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
        { name: 'c2', op: 'conv2d', inputs: ['p1'], kernel: w([3, 3, 10, 14], 0.3), bias: w([14], 0.2), strides: [1, 1], padding: 'same', activation: 'relu' },
        { name: 'gap', op: 'gap', inputs: ['c2'] },
        { name: 'logits', op: 'dense', inputs: ['gap'], kernel: w([14, 10], 0.8), bias: w([10], 0.1), activation: 'linear' },
  ] } as Graph);
  const shape = [64, 12, 12, 3];
  const r2 = mulberry32(seed + 1);
  const xr = tf.tensor(Float32Array.from({ length: 64 * 12 * 12 * 3 }, () => r2() * 2 - 1), shape);
  const cg = compileGraph(g);
  const outs = cg.capture(xr, calibratedNodes(g));
  const ranges: Record<string, { min: number; max: number }> = {};
  for (const n of calibratedNodes(g)) { const v = await outs[n].data(); ranges[n] = { min: Math.min(...v), max: Math.max(...v) }; }
  const q = quantizeGraph(g, 'int8', 'per-channel', ranges);
  const p = q.activations.in;
  const xq = Int8Array.from(await xr.data(), (v) => quantize(v, p));
  const x = tf.tensor(Float32Array.from(xq, (v) => dequantize(v, p)), shape);
  const sim = compileQuantized(q);
  const names = ['c1', 'c2', 'gap', 'logits'];
  const so = sim.capture(x, names);
  const ref = runInt8Graph(q, xq, shape);
  const line: string[] = [];
  for (const n of names) {
    const sq = Int8Array.from(await so[n].data(), (v) => quantize(v, q.activations[n]));
    const rd = ref.get(n)!.data;
    let md = 0, ex = 0;
    for (let i = 0; i < rd.length; i++) { const d = Math.abs(rd[i] - sq[i]); md = Math.max(md, d); if (!d) ex++; }
    line.push(`${n}: max ${md} exact ${(ex / rd.length).toFixed(3)}`);
  }
  console.log('seed', seed, line.join(' | '), 'gap scale', q.activations.gap.scale, 'logit scale', q.activations.logits.scale);
  }
});
