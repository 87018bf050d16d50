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
