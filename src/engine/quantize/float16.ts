/**
 * IEEE 754 half-precision rounding (round to nearest even, as Float32Array -> float16 conversion
 * in TFLite's float16 quantization does), returned as float32 so tfjs can run it.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 value nearest to x (ties to even), as a number. Overflow gives +-Infinity. */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  f32[0] = x;
  const bits = u32[0];
  const sign = bits >>> 31 ? -1 : 1;
  const a = Math.abs(f32[0]);
  if (a >= 65520) return sign * Infinity; // rounds past the largest half, 65504
  // Half's spacing: 2^(e-10) for normals (e >= -14), 2^-24 for subnormals.
  const e = Math.max(-14, ((bits >>> 23) & 0xff) - 127); // float32's exponent, exact
  const ulp = Math.pow(2, e - 10);
  const q = a / ulp;
  let r = Math.round(q);
  if (r - q === 0.5 && r % 2 === 1) r -= 1; // Math.round rounds half up; halves go to even
  return sign * r * ulp;
}

export function toFloat16Values(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = roundToFloat16(v[i]);
  return out;
}

/** IEEE 754 binary16 bits of a value that is already float16-representable (roundToFloat16). */
export function float16Bits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  if (a === Infinity) return sign | 0x7c00;
  if (Number.isNaN(a)) return 0x7e00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24); // subnormal
  const e = Math.floor(Math.log2(a));
  // log2 may be off by one at powers of two; the mantissa test corrects it.
  const exp = a / 2 ** e >= 2 ? e + 1 : a / 2 ** e < 1 ? e - 1 : e;
  const mant = Math.round((a / 2 ** exp - 1) * 1024);
  return sign | ((exp + 15) << 10) | mant;
}

/** The values as stored in a float16 file: each rounded to half precision (ties to even), as bits. */
export function toFloat16Bits(v: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = float16Bits(roundToFloat16(v[i]));
  return out;
}
