// Tensors in and out of inference: TypedArrays matched to OpenVINO element types.
import type { NativeElementType, NativeTensorIn, NativeTensorOut } from '../runtime/native-binding';
import { OvcacheError } from '../errors';
import type { PortInfo } from './port';
import { formatPartialShape } from './shapes';
import { describeValue, invalidArgument } from './validate';

export type ElementType = NativeElementType;

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** What infer() takes per input: a TypedArray (shape from the port) or data with a shape. */
export type TensorInput = TypedArray | { data: TypedArray; shape: number[] };

export interface Tensor {
  data: TypedArray;
  shape: number[];
  elementType: ElementType;
}

export type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  BYTES_PER_ELEMENT: number;
  name: string;
};

/** Element types with a natural TypedArray. f16/bf16 travel as raw Uint16 bits. */
const ARRAYS: Partial<Record<ElementType, TypedArrayConstructor>> = {
  f32: Float32Array,
  f64: Float64Array,
  i8: Int8Array,
  u8: Uint8Array,
  boolean: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  f16: Uint16Array,
  bf16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
};

/** The TypedArray that carries an element type; undefined for types without one (u4, string, ...). */
export function typedArrayFor(elementType: string): TypedArrayConstructor | undefined {
  return Object.prototype.hasOwnProperty.call(ARRAYS, elementType) ? ARRAYS[elementType as ElementType] : undefined;
}

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** Checks one input against its port and returns what the addon needs. */
export function toNativeTensor(port: PortInfo, input: unknown): NativeTensorIn {
  const name = `inputs.${port.name}`;
  const ctor = ARRAYS[port.elementType];
  if (port.elementType === 'string') {
    throw new OvcacheError(
      'OVCACHE_ELEMENT_TYPE_UNSUPPORTED',
      `Input "${port.name}" has element type string: OpenVINO string tensors hold C++ std::string objects, which ovcache cannot fill`,
    );
  }
  if (!ctor) {
    throw new OvcacheError(
      'OVCACHE_ELEMENT_TYPE_MISMATCH',
      `Input "${port.name}" has element type ${port.elementType}, which infer() does not support`,
    );
  }
  let data: unknown = input;
  let shape: number[] | undefined;
  if (!isTypedArray(input) && input !== null && typeof input === 'object' && 'data' in input) {
    data = input.data;
    const given = (input as { shape?: unknown }).shape;
    if (!Array.isArray(given) || !given.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
      throw invalidArgument('an array of integers >= 0', `${name}.shape`, given);
    }
    shape = given;
  }
  if (!isTypedArray(data)) throw invalidArgument(`a ${ctor.name} or { data, shape }`, name, data);
  if (!(data instanceof (ctor as unknown as typeof Float32Array))) {
    throw new OvcacheError(
      'OVCACHE_ELEMENT_TYPE_MISMATCH',
      `Expected a ${ctor.name} for ${name} (element type ${port.elementType}) but received ${describeValue(data).replace(/ of type object$/, '')} (${data.constructor.name})`,
    );
  }
  if (shape === undefined) {
    if (port.shape === null || !port.shape.every((d) => typeof d === 'number')) {
      throw invalidArgument(`{ data, shape } (input "${port.name}" has dynamic shape ${formatPartialShape(port.shape)})`, name, data);
    }
    shape = port.shape;
  }
  checkShapeFits(port, shape);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements !== data.length) {
    throw new OvcacheError(
      'OVCACHE_SHAPE_MISMATCH',
      `Input "${port.name}" has shape [${shape.join(',')}] (${elements} elements) but received ${data.length} elements`,
    );
  }
  return { name: port.name, elementType: port.elementType, shape, data };
}

function checkShapeFits(port: PortInfo, shape: number[]): void {
  const expected = port.shape;
  if (expected === null) return;
  const fits =
    expected.length === shape.length &&
    expected.every((d, i) => {
      const n = shape[i] ?? -1;
      return typeof d === 'number' ? d === n : n >= d.min && (d.max === undefined || n <= d.max);
    });
  if (!fits) {
    throw new OvcacheError(
      'OVCACHE_SHAPE_MISMATCH',
      `Input "${port.name}" expects shape ${formatPartialShape(expected)} but received [${shape.join(',')}]`,
    );
  }
}

export function fromNativeTensor(out: NativeTensorOut): Tensor {
  const ctor = ARRAYS[out.elementType] ?? Uint8Array;
  return { data: new ctor(out.data), shape: out.shape, elementType: out.elementType };
}
