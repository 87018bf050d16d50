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
  // The trailer's CRC-32 catches what a size check cannot: a stream whose ISIZE lies (fflate
  // stops at the end of the buffer it was given) or whose deflate data was altered.
  const crc = (bytes[n - 8] | (bytes[n - 7] << 8) | (bytes[n - 6] << 16) | (bytes[n - 5] << 24)) >>> 0;
  if (out.length === isize && crc32(out) !== crc) {
    throw new StudioError('truncated', `${fileName}: the gzip stream is corrupt (CRC-32 mismatch, or its size field is wrong).`, { fileName });
  }
  if (out.length !== isize) {
    throw new StudioError('truncated', `${fileName}: gzip stream ends early: ${out.length} of ${isize} bytes.`, { fileName, expected: isize, found: out.length });
  }
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as gzip uses); fflate does not export its own. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
