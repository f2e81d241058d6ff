// openvino-node's CompiledModel and InferRequest over ovcache's.
import type { CompiledModel, InferRequest, PortInfo, Tensor, TypedArray } from '../../../lib/index';
import { asOpenvinoNode, asOpenvinoNodeAsync, asPublished, notInDouble, type Instance, type ovn } from './published';
import { DoubleTensor, outputsOf, pickPort } from './tensor';

/** A property's text as openvino-node's typed OVAny: YES/NO as booleans, integers as numbers. */
export function typedValue(text: string): ovn.OVAny {
  if (/^(YES|TRUE)$/i.test(text)) return true;
  if (/^(NO|FALSE)$/i.test(text)) return false;
  return /^\d+$/.test(text) ? Number(text) : text;
}

const toTensor = (t: Tensor): ovn.Tensor =>
  asPublished<ovn.Tensor>(new DoubleTensor(t.elementType as ovn.elementTypeString, t.shape, t.data));

/** A port's tensor before inference: its element type, its shape (0 for a dynamic dimension). */
const emptyTensor = (port: PortInfo): ovn.Tensor =>
  asPublished<ovn.Tensor>(
    new DoubleTensor(
      port.elementType as ovn.elementTypeString,
      (port.shape ?? []).map((d) => (typeof d === 'number' ? d : 0)),
    ),
  );

export class DoubleInferRequest implements Instance<ovn.InferRequest> {
  constructor(
    private readonly request: InferRequest,
    private readonly compiled: DoubleCompiledModel,
  ) {}

  infer(): { [outputName: string]: ovn.Tensor } {
    throw notInDouble('InferRequest.infer (synchronous)');
  }

  async inferAsync(inputData: { [inputName: string]: ovn.Tensor } | ovn.Tensor[]): Promise<{ [outputName: string]: ovn.Tensor }> {
    const ports = this.compiled.source.inputs;
    const byName: Record<string, { data: TypedArray; shape: number[] }> = {};
    ports.forEach((port, i) => {
      const key = port.name || `input${i}`;
      const tensor = Array.isArray(inputData) ? inputData[i] : inputData[key];
      if (tensor) byName[key] = { data: tensor.getData(), shape: tensor.getShape() };
    });
    const outputs = await asOpenvinoNodeAsync(() => this.request.infer(byName));
    return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, toTensor(t)]));
  }

  getCompiledModel(): ovn.CompiledModel {
    return asPublished<ovn.CompiledModel>(this.compiled);
  }

  getInputTensor(idx = 0): ovn.Tensor {
    const port = this.compiled.source.inputs[idx];
    if (!port) throw new Error(`Input ${idx} does not exist`);
    return emptyTensor(port);
  }

  getOutputTensor(idx = 0): ovn.Tensor {
    const port = this.compiled.source.outputs[idx];
    if (!port) throw new Error(`Output ${idx} does not exist`);
    return emptyTensor(port);
  }

  getTensor(): ovn.Tensor {
    throw notInDouble('InferRequest.getTensor');
  }

  setInputTensor(): void {
    throw notInDouble('InferRequest.setInputTensor');
  }

  setOutputTensor(): void {
    throw notInDouble('InferRequest.setOutputTensor');
  }

  setTensor(): void {
    throw notInDouble('InferRequest.setTensor');
  }
}

export class DoubleCompiledModel implements Instance<ovn.CompiledModel> {
  constructor(readonly source: CompiledModel) {}

  get inputs(): ovn.Output[] {
    return outputsOf(asOpenvinoNode(() => this.source.inputs));
  }

  get outputs(): ovn.Output[] {
    return outputsOf(asOpenvinoNode(() => this.source.outputs));
  }

  getProperty(propertyName: string): ovn.OVAny {
    return typedValue(asOpenvinoNode(() => this.source.getProperty(propertyName)));
  }

  createInferRequest(): ovn.InferRequest {
    return asPublished<ovn.InferRequest>(
      new DoubleInferRequest(
        asOpenvinoNode(() => this.source.createInferRequest()),
        this,
      ),
    );
  }

  /** ovcache's binding exports asynchronously only, so the double cannot export synchronously. */
  exportModelSync(): Buffer {
    throw notInDouble('CompiledModel.exportModelSync');
  }

  output(which?: number | string): ovn.Output {
    return pickPort(this.outputs, which, 'Output');
  }

  input(which?: number | string): ovn.Output {
    return pickPort(this.inputs, which, 'Input');
  }

  setProperty(properties: Record<string, ovn.OVAny>): void {
    for (const [key, value] of Object.entries(properties)) asOpenvinoNode(() => this.source.setProperty(key, value));
  }
}
