/**
 * Bounded cost for wide layers, shared by every user of the OBS loop (pruning, GPTQ, sensitivity):
 * above MAX_BLOCK_COLS inputs per output (VGG16's 3x3x512 convolutions have 4,608), H is split
 * into diagonal blocks of whole kernel positions and each block is solved on its own. The
 * factorization is cubic in the block size, and a 4,608-wide one takes minutes in JavaScript;
 * compensation then stays within a block.
 */
import { outputChannels } from '../quantize/quantize-graph';
import type { WeightedNode } from '../graph/ir';

export const MAX_BLOCK_COLS = 2048;

/**
 * Solves `w` (rows x cols) block by block: `solve(sub, width, hs, c0)` gets the block's weights
 * (rows x width, updated in place and written back), its H and its first column. Returns the
 * blocks' masks put together, when `solve` returns masks.
 */
export function solveInBlocks(w: Float64Array, rows: number, cols: number, h: Float64Array, channels: number, solve: (sub: Float64Array, width: number, hs: Float64Array, c0: number) => Uint8Array | void): Uint8Array {
  const span = cols <= MAX_BLOCK_COLS ? cols : Math.max(channels, Math.floor(MAX_BLOCK_COLS / channels) * channels);
  const mask = new Uint8Array(w.length).fill(1);
  if (span >= cols) {
    // One block: H as it is (no copy), so its factorization is shared across calls (linalg.ts).
    const m = solve(w, cols, h, 0);
    if (m) mask.set(m);
    return mask;
  }
  for (let c0 = 0; c0 < cols; c0 += span) {
    const width = Math.min(span, cols - c0);
    const sub = new Float64Array(rows * width);
    const hs = new Float64Array(width * width);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) sub[r * width + c] = w[r * cols + c0 + c];
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) hs[i * width + j] = h[(c0 + i) * cols + c0 + j];
    const m = solve(sub, width, hs, c0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        w[r * cols + c0 + c] = sub[r * width + c];
        if (m) mask[r * cols + c0 + c] = m[r * width + c];
      }
    }
  }
  return mask;
}

/**
 * Keeps each output's mean where it was after W₀ became W: the bias takes (W₀ − W)·E[x] (Nagel et
 * al. 2019's bias correction, with the layer's own calibration inputs). Row r of group g is output
 * g·rows + r. A layer without a bias gets one.
 */
export function correctBias(n: WeightedNode, g: number, w0: Float64Array, w: Float64Array, mean: Float64Array, rows: number, cols: number): void {
  const outputs = outputChannels(n);
  n.bias ??= { shape: [outputs], values: new Float32Array(outputs) };
  for (let r = 0; r < rows; r++) {
    let shift = 0;
    for (let c = 0; c < cols; c++) shift += (w0[r * cols + c] - w[r * cols + c]) * mean[c];
    n.bias.values[g * rows + r] += shift;
  }
}
