/**
 * The sha256 of each file of a shipped baseline, recorded in index.json by the trainer
 * (tools/zoo/train.py) and checked at load: a clone without its large files, a proxy, or a
 * download cut short would otherwise give a model whose every figure is silently wrong (a
 * float16 shard of the right length but the wrong bytes still loads).
 *
 * WebCrypto's digest is native and fast, but exists only in secure contexts (https, localhost);
 * a studio served on a LAN address over http has no crypto.subtle, so @noble/hashes (audited,
 * dependency-free) computes the same digest there.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { StudioError } from '../errors';

/** One file of a model folder: its path relative to the folder, size and sha256 (hex). */
export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const d = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
    return bytesToHex(new Uint8Array(d));
  }
  return bytesToHex(sha256(bytes));
}

/**
 * Checks one file read from a model folder against the recorded digests. `relative` is the path
 * inside the folder; `shown` is how the error names the file. A file the record does not list is
 * refused too: the model.json may have been changed to read other files.
 */
export async function checkFileDigest(digests: readonly FileDigest[], relative: string, shown: string, bytes: Uint8Array): Promise<void> {
  const d = digests.find((x) => x.path === relative);
  if (!d) throw new StudioError('checksum-mismatch', `${shown}: index.json lists no digest for this file (it lists ${digests.map((x) => x.path).join(', ')}); the model folder does not match its record.`, { fileName: shown });
  const why = 'the file is damaged or not the one index.json describes (a clone without its large files, a proxy or a partial download can cause this); fetch the model again';
  if (bytes.length !== d.bytes) throw new StudioError('checksum-mismatch', `${shown}: ${bytes.length} bytes, expected ${d.bytes}: ${why}.`, { fileName: shown, expected: d.bytes, found: bytes.length });
  const found = await sha256Hex(bytes);
  if (found !== d.sha256) throw new StudioError('checksum-mismatch', `${shown}: sha256 ${found}, expected ${d.sha256}: ${why}.`, { fileName: shown, expected: d.sha256, found });
}
