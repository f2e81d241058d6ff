// openvino-node's Tensor, PartialShape and Output over ovcache's values.
import { formatPartialShape, isStaticShape, parseShapeInput, type PartialShape, type PortInfo, type TypedArray } from '../../../lib/index';
import { asPublished, notInDouble, type Instance, type ovn } from './published';

const ARRAYS: Record<string, new (n: number) => TypedArray> = {
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  u64: BigUint64Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
  // Request tensors of these types exist (a port's); ovcache's infer takes their raw bits.
  f16: Uint16Array,
  bf16: Uint16Array,
  boolean: Uint8Array,
};

export class DoubleTensor implements Instance<ovn.Tensor> {
  private readonly type: string;
  private shape: number[];
  private values: TypedArray;

  constructor(type: ovn.element | ovn.elementTypeString | string[], shape?: number[], tensorData?: ovn.SupportedTypedArray) {
    if (Array.isArray(type)) throw notInDouble('a string Tensor');
    if (typeof type !== 'string') throw new Error(`The double takes element type names, not ${String(type)}`);
    const ctor = ARRAYS[type];
    if (!ctor) throw new Error(`Cannot create a tensor of element type ${type}`);
    this.type = type;
    this.shape = shape ?? [];
    this.values = tensorData ?? new ctor(this.shape.reduce((a, b) => a * b, 1));
  }

  get data(): ovn.SupportedTypedArray {
    return this.getData();
  }

  set data(value: ovn.SupportedTypedArray) {
    this.values = value.slice();
  }

  /** Declared as the `element` enum; openvino-node's runtime returns the name (element.f32 === 'f32'). */
  getElementType(): ovn.element {
    return this.type as unknown as ovn.element;
  }

  getData(): ovn.SupportedTypedArray {
    return this.values.slice();
  }

  getShape(): number[] {
    return [...this.shape];
  }

  getSize(): number {
    return this.values.length;
  }

  isContinuous(): boolean {
    return true;
  }

  setShape(shape: number[]): void {
    this.shape = [...shape];
  }

  copyTo(tensor: ovn.Tensor): void {
    tensor.data = this.getData();
  }
}

/** OpenVINO's PartialShape text: "[1,3,?,16..128]", a dynamic rank "[...]". */
export function openvinoShapeText(shape: PartialShape): string {
  return shape === null ? '[...]' : formatPartialShape(shape);
}

export class DoublePartialShape implements Instance<ovn.PartialShape> {
  readonly shape: PartialShape;

  constructor(shape?: string | PartialShape) {
    if (shape === undefined) this.shape = [];
    else if (typeof shape === 'string') this.shape = shape.trim() === '[...]' ? null : parseShapeInput(shape, 'shape');
    else this.shape = shape;
  }

  isStatic(): boolean {
    return isStaticShape(this.shape);
  }

  isDynamic(): boolean {
    return !this.isStatic();
  }

  toString(): string {
    return openvinoShapeText(this.shape);
  }

  getDimensions(): ovn.Dimension[] {
    if (this.shape === null) throw new Error('Cannot get dimensions of a partial shape with a dynamic rank');
    return this.shape.map((d) => (typeof d === 'number' ? d : [d.min, d.max ?? -1]));
  }
}

export class DoubleOutput implements Instance<ovn.Output> {
  constructor(private readonly port: PortInfo) {}

  get anyName(): string {
    return this.getAnyName();
  }

  get shape(): number[] {
    return this.getShape();
  }

  toString(): string {
    return this.getAnyName();
  }

  getAnyName(): string {
    if (!this.port.name) throw new Error('Attempt to get a name for a Tensor without names');
    return this.port.name;
  }

  getShape(): number[] {
    const shape = this.port.shape;
    if (!isStaticShape(shape))
      throw new Error(`get_shape was called on a descriptor::Tensor with dynamic shape ${openvinoShapeText(shape)}`);
    return [...shape];
  }

  getPartialShape(): ovn.PartialShape {
    return asPublished<ovn.PartialShape>(new DoublePartialShape(this.port.shape));
  }
}

export const outputsOf = (ports: PortInfo[]): ovn.Output[] => ports.map((p) => asPublished<ovn.Output>(new DoubleOutput(p)));

/** The port an openvino-node input()/output() call names: none (the only one), an index or a name. */
export function pickPort(ports: ovn.Output[], which: number | string | undefined, what: string): ovn.Output {
  const found =
    which === undefined
      ? ports.length === 1
        ? ports[0]
        : undefined
      : typeof which === 'number'
        ? ports[which]
        : ports.find((p) => p.anyName === which);
  if (!found) throw new Error(`${what} ${which === undefined ? '(the only one)' : String(which)} does not exist`);
  return found;
}
