// A model read from IR, before compilation: inspect its ports, reshape its inputs.
import type { NativeDimension, NativeModel } from '../runtime/native-binding';
import { callNative } from '../runtime/native-errors';
import { OvcacheError } from '../errors';
import { fromNativePorts, type PortInfo } from './port';
import { checkReshapeable, formatPartialShape, parseShapeInput, toNativeShape, type ShapeInput } from './shapes';
import { expectPlainObject } from './validate';
import { NativeHandle } from './native-handle';

export class Model extends NativeHandle<NativeModel> {
  /** The .xml this model was read from. */
  readonly path: string;

  /** @internal */
  constructor(native: NativeModel, path: string) {
    super(native);
    this.path = path;
  }

  get inputs(): PortInfo[] {
    return fromNativePorts(callNative(() => this.native.inputs()));
  }

  get outputs(): PortInfo[] {
    return fromNativePorts(callNative(() => this.native.outputs()));
  }

  get friendlyName(): string {
    return callNative(() => this.native.friendlyName());
  }

  get isDynamic(): boolean {
    return callNative(() => this.native.isDynamic());
  }

  /**
   * Sets new input shapes, e.g. `{ input: [4, 16] }`, `{ image: '1,3,?,?' }` or
   * `{ image: [1, 3, [224, 512], -1] }`. Unknown input names and wrong ranks throw; so do a
   * scalar and a dynamic rank, which OpenVINO's C API cannot express (OVCACHE_SHAPE_UNSUPPORTED).
   * A shape read from `inputs` (formatted or as is) can be passed back.
   */
  reshape(shapes: Record<string, ShapeInput>): void {
    const entries = Object.entries(expectPlainObject(shapes, 'shapes'));
    const known = this.inputs;
    const names: string[] = [];
    const dims: NativeDimension[][] = [];
    for (const [name, input] of entries) {
      const port = known.find((p) => p.name === name);
      if (!port) {
        throw new OvcacheError(
          'OVCACHE_SHAPE_MISMATCH',
          `Model has no input named "${name}"; its inputs are ${known.map((p) => `"${p.name}"`).join(', ')}`,
        );
      }
      const shape = checkReshapeable(parseShapeInput(input, `shapes.${name}`), `input "${name}"`);
      if (port.shape !== null && port.shape.length !== shape.length) {
        throw new OvcacheError(
          'OVCACHE_SHAPE_MISMATCH',
          `Input "${name}" has rank ${port.shape.length} but the new shape has rank ${shape.length} (the input is ${formatPartialShape(port.shape)})`,
        );
      }
      names.push(name);
      dims.push(toNativeShape(shape));
    }
    if (names.length > 0) callNative(() => this.native.reshape(names, dims));
  }
}
