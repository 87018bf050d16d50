/**
 * Gzip decoding with an output cap: a file is never inflated past what its format allows,
 * so a "gzip bomb" is refused instead of filling memory. fflate is used because it is fast,
 * small, and runs unchanged in a Worker and in Node.
 */
import { gunzipSync } from 'fflate';
import { StudioError } from '../errors';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses `bytes` (if gzip) refusing outputs larger than `maxBytes`. */
export function gunzipCapped(bytes: Uint8Array, fileName: string, maxBytes: number): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  if (bytes.length < 18) {
    throw new StudioError('truncated', `${fileName}: the gzip stream is truncated (${bytes.length} bytes).`, { fileName, found: bytes.length });
  }
  // The trailer's ISIZE is the uncompressed size mod 2^32: a cheap check before inflating.
  const n = bytes.length;
  const isize = (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
  if (isize > maxBytes) {
    throw new StudioError('size-mismatch', `${fileName}: decompresses to ${isize} bytes, more than the ${maxBytes} this format allows.`, { fileName, expected: maxBytes, found: isize });
  }
  let out: Uint8Array;
  try {
    out = gunzipSync(bytes, { out: new Uint8Array(isize) });
  } catch (e) {
    throw new StudioError('truncated', `${fileName}: the gzip stream is corrupt or truncated (${(e as Error).message}).`, { fileName });
  }
  if (out.length !== isize) {
    throw new StudioError('truncated', `${fileName}: gzip stream ends early: ${out.length} of ${isize} bytes.`, { fileName, expected: isize, found: out.length });
  }
  return out;
}
