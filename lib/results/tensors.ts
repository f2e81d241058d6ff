// Tensors as the result cache sees them: element type + shape + the raw bytes. Input tensors
// enter keys by content digest; output tensors are stored as their bytes, never as JSON numbers.
import crypto from 'node:crypto';
import { OvcacheError, type OvcacheErrorCode } from '../errors';
import { typedArrayFor, type ElementType, type Tensor, type TensorInput, type TypedArray } from '../openvino/tensor';
import { describeValue } from '../openvino/validate';

/** The element type a bare TypedArray stands for. */
const DEFAULT_TYPE: Record<string, ElementType> = {
  Float32Array: 'f32',
  Float64Array: 'f64',
  Int8Array: 'i8',
  Uint8Array: 'u8',
  Int16Array: 'i16',
  Uint16Array: 'u16',
  Int32Array: 'i32',
  Uint32Array: 'u32',
  BigInt64Array: 'i64',
  BigUint64Array: 'u64',
};

export function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function bad(code: OvcacheErrorCode, what: string, name: string, value: unknown): OvcacheError {
  return new OvcacheError(code, `Expected ${what} for ${name} but received ${describeValue(value)}`);
}

/**
 * A Tensor from what infer() takes (a TypedArray, { data, shape }) or a Tensor, checked:
 * the element type matches the array, the shape's element count matches its length.
 */
export function toTensor(value: unknown, name: string, code: OvcacheErrorCode): Tensor {
  let data: unknown = value;
  let shape: unknown;
  let elementType: unknown;
  if (!isTypedArray(value) && value !== null && typeof value === 'object' && 'data' in value) {
    ({ data, shape, elementType } = value as { data: unknown; shape?: unknown; elementType?: unknown });
  }
  if (!isTypedArray(data)) throw bad(code, 'a TypedArray or { data, shape, elementType? }', name, data);
  const type = elementType ?? DEFAULT_TYPE[data.constructor.name];
  const ctor = typeof type === 'string' ? typedArrayFor(type) : undefined;
  if (!ctor) throw bad(code, 'an OpenVINO element type such as f32, u8, i64', `${name}.elementType`, type);
  if (!(data instanceof (ctor as unknown as typeof Float32Array))) {
    throw new OvcacheError(
      code,
      `Expected a ${ctor.name} for ${name} (element type ${type as string}) but received a ${data.constructor.name}`,
    );
  }
  const dims = shape ?? [data.length];
  if (!Array.isArray(dims) || !dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw bad(code, 'an array of integers >= 0', `${name}.shape`, dims);
  }
  const elements = (dims as number[]).reduce((a, b) => a * b, 1);
  if (elements !== data.length) {
    throw new OvcacheError(code, `${name} has shape [${dims.join(',')}] (${elements} elements) but ${data.length} elements`);
  }
  return { data, shape: dims as number[], elementType: type as ElementType };
}

/** The tensor's bytes, without copying. */
export function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** SHA-256 of element type, shape and bytes: equal tensors, equal digest. */
export function tensorDigest(t: Tensor): string {
  return crypto
    .createHash('sha256')
    .update(`${t.elementType}[${t.shape.join(',')}]\n`)
    .update(tensorBytes(t))
    .digest('hex');
}

/** A tensor over a copy of bytes (aligned for its array type). */
export function tensorFromBytes(bytes: Uint8Array, elementType: string, shape: number[]): Tensor {
  const ctor = typedArrayFor(elementType) ?? Uint8Array;
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return { data: new ctor(copy), shape, elementType: elementType as ElementType };
}

export type { Tensor, TensorInput };
