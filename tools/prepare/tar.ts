/**
 * Reads named regular files out of an in-memory (ustar) tar archive.
 * Written here rather than taken from npm because we need only this: the CIFAR archives hold a
 * handful of regular files, we extract them from memory by name, and nothing else in the
 * archive (links, absolute paths) is ever written to disk.
 */
export function readTarMembers(tar: Uint8Array, wanted: (name: string) => boolean): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const text = new TextDecoder();
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, len: number) => text.decode(header.subarray(from, from + len)).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    if (!Number.isFinite(size) || size < 0 || at + 512 + size > tar.length) {
      throw new Error(`tar member "${name}" claims ${size} bytes, past the end of the archive`);
    }
    if ((type === '0' || type === '\0') && wanted(name)) out.set(name, tar.slice(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
