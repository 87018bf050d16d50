/**
 * Which SIMD instructions each function of a .wasm file uses, by function index (the index V8's
 * CPU profiler reports as "wasm-function[N]" when the file has no name section, as LiteRT.js'
 * does not). For reading a profile: it tells an XNNPACK kernel that uses the relaxed int8 dot
 * product from one that uses SIMD128's i16 dot product or float FMA.
 *
 * The counts are byte patterns in each function body (0xfd prefix + LEB128 opcode), not a full
 * decode: an immediate can in rare cases look like one, so read them as approximate. Hot kernels
 * have dozens of hits, which no immediate imitates.
 */

/** SIMD opcodes worth counting (wasm SIMD and relaxed-SIMD opcode numbers). */
export const SIMD_OPS: Record<string, number> = {
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': 0x113,
  'i32x4.dot_i16x8_s': 0xba,
  'f32x4.relaxed_madd': 0x105,
  'f32x4.mul': 0xe6,
};

function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function encodeLeb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** For each function index (imports first, as the profiler counts them), its body's SIMD op counts. */
export function simdOpsByFunction(wasm: Uint8Array): Map<number, Record<string, number>> {
  let at = 8;
  let imported = 0;
  const out = new Map<number, Record<string, number>>();
  const patterns = Object.entries(SIMD_OPS).map(([name, op]) => [name, [0xfd, ...encodeLeb(op)]] as const);
  while (at < wasm.length) {
    const id = wasm[at++];
    const [size, start] = leb(wasm, at);
    at = start + size;
    if (id === 2) {
      // import section: count function imports (kind 0); other kinds have their own descriptors
      let p = start;
      let n;
      [n, p] = leb(wasm, p);
      for (let i = 0; i < n; i++) {
        let len;
        [len, p] = leb(wasm, p);
        p += len;
        [len, p] = leb(wasm, p);
        p += len;
        const kind = wasm[p++];
        if (kind === 0) {
          imported++;
          [, p] = leb(wasm, p);
        } else if (kind === 1) {
          p++; // reftype
          const flags = wasm[p++];
          [, p] = leb(wasm, p);
          if (flags & 1) [, p] = leb(wasm, p);
        } else if (kind === 2) {
          const flags = wasm[p++];
          [, p] = leb(wasm, p);
          if (flags & 1) [, p] = leb(wasm, p);
        } else if (kind === 3)
          p += 2; // valtype, mutability
        else if (kind === 4) {
          p++;
          [, p] = leb(wasm, p);
        }
      }
    } else if (id === 10) {
      let p = start;
      let n;
      [n, p] = leb(wasm, p);
      for (let i = 0; i < n; i++) {
        let body;
        [body, p] = leb(wasm, p);
        const counts: Record<string, number> = {};
        for (const [name, pat] of patterns) {
          let c = 0;
          for (let k = p; k < p + body - pat.length + 1; k++) {
            let hit = true;
            for (let j = 0; j < pat.length && hit; j++) hit = wasm[k + j] === pat[j];
            if (hit) c++;
          }
          if (c) counts[name] = c;
        }
        out.set(imported + i, counts);
        p += body;
      }
    }
  }
  return out;
}
