/** Wide layers in diagonal blocks of whole kernel positions (recon/blocks.ts). */
import { describe, expect, it } from 'vitest';
import { solveInBlocks } from '../../src/engine/recon/blocks';
import { MAX_BLOCK_COLS } from '../../src/engine/recon/linalg';

describe('solveInBlocks', () => {
  it('splits 9 positions x 512 channels into blocks of 4 positions (2,048, 2,048, 512), hands each its H and writes back weights and masks', () => {
    const rows = 2;
    const cols = 9 * 512;
    const w = Float64Array.from({ length: rows * cols }, (_, i) => i);
    const h = Float64Array.from({ length: cols * cols }, (_, i) => Math.floor(i / cols) * 10_000 + (i % cols));
    const calls: Array<[number, number]> = [];
    const mask = solveInBlocks(w, rows, cols, h, 512, (sub, width, hs, c0) => {
      calls.push([c0, width]);
      // H[i][j] of the block is the full H[c0+i][c0+j].
      expect(hs[1 * width + 2]).toBe((c0 + 1) * 10_000 + c0 + 2);
      expect(sub[width]).toBe(cols + c0);
      sub.fill(-1);
      return new Uint8Array(sub.length);
    });
    expect(MAX_BLOCK_COLS).toBe(2048);
    expect(calls).toEqual([
      [0, 2048],
      [2048, 2048],
      [4096, 512],
    ]);
    expect(w.every((v) => v === -1)).toBe(true);
    expect(mask.every((v) => v === 0)).toBe(true);
  });

  it('a layer within the limit is one block, and a solve without masks keeps everything', () => {
    const calls: number[] = [];
    const mask = solveInBlocks(new Float64Array(6), 2, 3, new Float64Array(9), 3, (_s, width) => void calls.push(width));
    expect(calls).toEqual([3]);
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
