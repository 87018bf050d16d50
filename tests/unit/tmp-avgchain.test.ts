import * as tf from '@tensorflow/tfjs';
import { beforeAll, it } from 'vitest';
import { initBackend } from '../../src/engine/backend/init';
import { compileGraph } from '../../src/engine/graph/execute';
import type { Graph } from '../../src/engine/graph/ir';
import { dequantize, quantize } from '../../src/engine/quantize/affine';
import { runInt8Graph } from '../../src/engine/quantize/int8-reference';
import { calibratedNodes, quantizeGraph } from '../../src/engine/quantize/quantize-graph';
import { compileQuantized } from '../../src/engine/quantize/simulate';
import { mulberry32 } from '../../src/engine/train/data-order';
beforeAll(async () => { await initBackend('wasm'); });
it('avgpool chain', async () => {
  for (const seed of [1, 2, 3, 4]) {
  const rand = mulberry32(seed);
  const u = (n: number, a: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * a);
  const g: Graph = { name: 'x', output: 'c', nodes: [
    { name: 'in', op: 'input', inputs: [], shape: [8, 8, 16] },
    { name: 'ap', op: 'avgpool', inputs: ['in'], pool: [2, 2], strides: [2, 2], padding: 'valid' },
    { name: 'c', op: 'conv2d', inputs: ['ap'], kernel: { shape: [3, 3, 16, 8], values: u(3 * 3 * 16 * 8, 0.5) }, strides: [1, 1], padding: 'same', activation: 'linear' },
  ] };
  const shape = [4, 8, 8, 16];
  const xr = tf.tensor(u(4 * 8 * 8 * 16, 1), shape);
  const cg = compileGraph(g);
  const outs = cg.capture(xr, calibratedNodes(g));
  const ranges: Record<string, { min: number; max: number }> = {};
  for (const n of calibratedNodes(g)) { const v = await outs[n].data(); ranges[n] = { min: Math.min(...v), max: Math.max(...v) }; }
  const q = quantizeGraph(g, 'int8', 'per-channel', ranges);
  const p = q.activations.in;
  const xq = Int8Array.from(await xr.data(), (v) => quantize(v, p));
  const x = tf.tensor(Float32Array.from(xq, (v) => dequantize(v, p)), shape);
  const sim = compileQuantized(q);
  const y = await sim.predict(x).data();
  const sq = Int8Array.from(y, (v) => quantize(v, q.activations.c));
  const ref = runInt8Graph(q, xq, shape).get('c')!.data;
  let md = 0, ex = 0; const hist: Record<number, number> = {};
  for (let i = 0; i < ref.length; i++) { const d = Math.abs(ref[i] - sq[i]); md = Math.max(md, d); if (!d) ex++; hist[d] = (hist[d] ?? 0) + 1; }
  console.log('seed', seed, 'max', md, 'exact', ex / ref.length, JSON.stringify(hist), 'scales', q.activations.ap.scale, q.activations.c.scale);
  }
});
