// openvino-node's Model over ovcache's Model.
import type { Model, ShapeInput } from '../../../lib/index';
import { asOpenvinoNode, notInDouble, type Instance, type ovn } from './published';
import { DoublePartialShape, outputsOf, pickPort } from './tensor';

export class DoubleModel implements Instance<ovn.Model> {
  constructor(readonly model: Model) {}

  get inputs(): ovn.Output[] {
    return outputsOf(asOpenvinoNode(() => this.model.inputs));
  }

  get outputs(): ovn.Output[] {
    return outputsOf(asOpenvinoNode(() => this.model.outputs));
  }

  clone(): ovn.Model {
    throw notInDouble('Model.clone');
  }

  getFriendlyName(): string {
    return asOpenvinoNode(() => this.model.friendlyName);
  }

  getName(): string {
    return this.getFriendlyName();
  }

  getOps(): ovn.Node[] {
    throw notInDouble('Model.getOps');
  }

  getOutputShape(index: number): number[] {
    return pickPort(this.outputs, index, 'Output').getShape();
  }

  getOutputSize(): number {
    return this.outputs.length;
  }

  getOutputElementType(index: number): string {
    const port = this.model.outputs[index];
    if (!port) throw new Error(`Output ${index} does not exist`);
    return port.elementType;
  }

  input(which?: number | string): ovn.Output {
    return pickPort(this.inputs, which, 'Input');
  }

  output(which?: number | string): ovn.Output {
    return pickPort(this.outputs, which, 'Output');
  }

  isDynamic(): boolean {
    return asOpenvinoNode(() => this.model.isDynamic);
  }

  setFriendlyName(): void {
    throw notInDouble('Model.setFriendlyName');
  }

  /** A shape for the only input, or a Map keyed by index, tensor name or Output. */
  reshape(
    shapes: ovn.PartialShape | string | Map<number | string | ovn.Output, ovn.PartialShape | string>,
    variablesShapes?: Record<string, ovn.PartialShape | string>,
  ): ovn.Model {
    if (variablesShapes !== undefined) throw notInDouble('reshaping variables');
    const names = this.model.inputs.map((p) => p.name);
    const entries = shapes instanceof Map ? [...shapes.entries()] : [[0, shapes] as const];
    const request: Record<string, ShapeInput> = {};
    for (const [key, value] of entries) {
      const name = typeof key === 'number' ? names[key] : typeof key === 'string' ? key : key.anyName;
      if (name === undefined) throw new Error(`Input ${String(key)} does not exist`);
      request[name] = new DoublePartialShape(String(value)).shape;
    }
    asOpenvinoNode(() => this.model.reshape(request));
    return this as unknown as ovn.Model;
  }
}
