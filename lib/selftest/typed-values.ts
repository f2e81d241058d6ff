// Inputs and JS reference outputs for the typed fixtures (fixture-models.ts, writeTypedModel):
// y = Convert<et>(x * scale + offset), computed here without OpenVINO.
import { typedCoefficients, type FixtureElementType } from './fixture-models';
import type { TypedArray } from '../openvino/tensor';

/** IEEE half bits -> number. */
export function fromF16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const man = bits & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 0x1f) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** number -> IEEE half bits, for values exactly representable in f16 (the fixtures' values). */
export function toF16(value: number): number {
  for (let bits = 0; bits < 0x10000; bits++) if (fromF16(bits) === value && !(value === 0 && bits === 0x8000)) return bits;
  throw new Error(`${value} is not exactly representable as f16`);
}

const F32_VALUES = [0.5, -1.25, 3, 10.75, -7, 100];

/** Six inputs per element type, chosen so that every output is exact in that type. */
export function typedInput(et: FixtureElementType): TypedArray {
  switch (et) {
    case 'f32':
      return Float32Array.from(F32_VALUES);
    case 'f16':
      return Uint16Array.from(F32_VALUES.map(toF16));
    case 'i32':
      return Int32Array.from([0, -3, 7, 1000000, -2147, 42]);
    case 'i64':
      return BigInt64Array.from([0n, -3n, 7n, 4000000000n, -5n, 42n]);
    case 'u8':
      return Uint8Array.from([0, 1, 7, 100, 127, 3]);
    case 'boolean':
      return Uint8Array.from([1, 0, 1, 1, 0, 0]);
  }
}

/** The outputs as plain numbers (f16 decoded, i64 as Number: all values are below 2^53). */
export function asNumbers(et: FixtureElementType, data: TypedArray): number[] {
  const values = Array.from(data as ArrayLike<number | bigint>, Number);
  return et === 'f16' ? values.map(fromF16) : values;
}

/** The reference outputs of the typed model for typedInput(et). */
export function typedReference(et: FixtureElementType): number[] {
  const { scale, offset } = typedCoefficients(et);
  // The model computes in f32 between its two Converts: so does the reference.
  return asNumbers(et, typedInput(et)).map((x) => {
    const y = Math.fround(Math.fround(Math.fround(x) * scale) + offset);
    if (et === 'boolean') return y !== 0 ? 1 : 0;
    if (et === 'u8') return Math.min(255, Math.max(0, Math.trunc(y)));
    if (et === 'i32' || et === 'i64') return Math.trunc(y);
    return y;
  });
}
