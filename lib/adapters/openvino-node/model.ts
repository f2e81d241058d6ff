// RuntimeModel over an openvino-node Model: ports in ovcache's terms, reshape with ovcache's
// checks (unknown names and wrong ranks throw before openvino-node is called).
import { OvcacheError } from '../../errors';
import type { PortInfo } from '../../openvino/port';
import { formatPartialShape, parseShapeInput, type ShapeInput } from '../../openvino/shapes';
import type { ElementType } from '../../openvino/tensor';
import { expectPlainObject } from '../../openvino/validate';
import type { RuntimeModel } from '../../runtime/runtime-port';
import type { OpenvinoNodeModel } from './addon-types';
import { callOpenvinoNode } from './errors';
import { elementTypeOf, portOf } from './values';

export class OpenvinoNodeModelAdapter implements RuntimeModel {
  readonly path: string;
  private handle: OpenvinoNodeModel | undefined;
  private readonly inputTypes: Map<string, ElementType>;

  /** @internal */
  constructor(model: OpenvinoNodeModel, path: string, inputTypes: Map<string, ElementType>) {
    this.handle = model;
    this.path = path;
    this.inputTypes = inputTypes;
  }

  /** @internal The openvino-node Model (throws OVCACHE_DISPOSED after dispose()). */
  get model(): OpenvinoNodeModel {
    if (this.handle === undefined) throw new OvcacheError('OVCACHE_DISPOSED', 'This Model has been disposed');
    return this.handle;
  }

  get disposed(): boolean {
    return this.handle === undefined;
  }

  get inputs(): PortInfo[] {
    const outputs = callOpenvinoNode('Model.inputs', () => this.model.inputs);
    return outputs.map((o) => {
      const port = callOpenvinoNode('Output.getPartialShape', () => portOf(o, 'undefined'));
      return { ...port, elementType: this.inputTypes.get(port.name) ?? 'undefined' };
    });
  }

  get outputs(): PortInfo[] {
    const model = this.model;
    const outputs = callOpenvinoNode('Model.outputs', () => model.outputs);
    return outputs.map((o, i) =>
      callOpenvinoNode('Model.getOutputElementType', () => portOf(o, elementTypeOf(model.getOutputElementType(i)))),
    );
  }

  /** As ovcache's Model.reshape: `{ input: [4, 16] }`, `{ image: '1,3,?,?' }`, ranges as [min, max]. */
  reshape(shapes: Record<string, ShapeInput>): void {
    const known = this.inputs;
    const byName = new Map<string, string>();
    for (const [name, input] of Object.entries(expectPlainObject(shapes, 'shapes'))) {
      const port = known.find((p) => p.name === name);
      if (!port) {
        throw new OvcacheError(
          'OVCACHE_SHAPE_MISMATCH',
          `Model has no input named "${name}"; its inputs are ${known.map((p) => `"${p.name}"`).join(', ')}`,
        );
      }
      const shape = parseShapeInput(input, `shapes.${name}`);
      if (shape === null || shape.length === 0) {
        throw new OvcacheError(
          'OVCACHE_SHAPE_UNSUPPORTED',
          `Cannot reshape input "${name}" to ${shape === null ? 'a dynamic rank' : 'a scalar ([])'}: ovcache reshapes to ranked shapes only, with either runtime`,
        );
      }
      if (port.shape !== null && port.shape.length !== shape.length) {
        throw new OvcacheError(
          'OVCACHE_SHAPE_MISMATCH',
          `Input "${name}" has rank ${port.shape.length} but the new shape has rank ${shape.length} (the input is ${formatPartialShape(port.shape)})`,
        );
      }
      byName.set(name, formatPartialShape(shape));
    }
    if (byName.size > 0) callOpenvinoNode('Model.reshape', () => this.model.reshape(byName));
  }

  /** openvino-node frees its objects when they are collected: this drops the reference. */
  dispose(): void {
    this.handle = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
