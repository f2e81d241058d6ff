// The part of openvino-node's `addon` (its types/addon.d.ts, 2026.4) that the adapter calls,
// written structurally so that ovcache neither depends on openvino-node nor needs its types
// installed. test/openvino-node/ checks with tsc that openvino-node's published NodeAddon is
// assignable to OpenvinoNodeAddon, so a change there that matters here fails the build.
import type { TypedArray } from '../../openvino/tensor';

/** openvino-node's OVAny: what its getProperty returns and its configs take. */
export type OpenvinoNodeValue = string | number | boolean;

/** The element type names openvino-node's Tensor constructor accepts (elementTypeString). */
export type OpenvinoNodeElementName = 'u8' | 'u32' | 'u16' | 'u64' | 'i8' | 'i64' | 'i32' | 'i16' | 'f64' | 'f32' | 'string';

export interface OpenvinoNodePartialShape {
  /** OpenVINO's own text: "[1,3,?,16..128]", "[...]" for a dynamic rank. */
  toString(): string;
}

export interface OpenvinoNodeOutput {
  readonly anyName: string;
  getPartialShape(): OpenvinoNodePartialShape;
}

export interface OpenvinoNodeTensor {
  /** Declared as the `element` enum; the runtime returns the type's name (element.f32 === 'f32'). */
  getElementType(): unknown;
  getData(): TypedArray;
  getShape(): number[];
}

export interface OpenvinoNodeInferRequest {
  inferAsync(inputData: OpenvinoNodeTensor[] | Record<string, OpenvinoNodeTensor>): Promise<Record<string, OpenvinoNodeTensor>>;
  getInputTensor(idx: number): OpenvinoNodeTensor;
  getOutputTensor(idx?: number): OpenvinoNodeTensor;
}

export interface OpenvinoNodeModel {
  readonly inputs: OpenvinoNodeOutput[];
  readonly outputs: OpenvinoNodeOutput[];
  getOutputElementType(index: number): string;
  reshape(partialShapes: Map<string, string>): unknown;
}

export interface OpenvinoNodeCompiledModel {
  readonly inputs: OpenvinoNodeOutput[];
  readonly outputs: OpenvinoNodeOutput[];
  getProperty(propertyName: string): OpenvinoNodeValue;
  createInferRequest(): OpenvinoNodeInferRequest;
  /** openvino-node exports synchronously only (there is no exportModel). */
  exportModelSync(): Uint8Array;
}

export interface OpenvinoNodeCore {
  getAvailableDevices(): string[];
  getProperty(propertyName: string): OpenvinoNodeValue;
  getProperty(deviceName: string, propertyName: string): OpenvinoNodeValue;
  readModel(modelPath: string, weightsPath?: string): Promise<OpenvinoNodeModel>;
  compileModel(
    model: OpenvinoNodeModel,
    deviceName: string,
    config?: Record<string, OpenvinoNodeValue>,
  ): Promise<OpenvinoNodeCompiledModel>;
  compileModel(modelPath: string, deviceName: string, config?: Record<string, OpenvinoNodeValue>): Promise<OpenvinoNodeCompiledModel>;
  importModel(modelStream: Buffer, device: string, config?: Record<string, OpenvinoNodeValue>): Promise<OpenvinoNodeCompiledModel>;
}

/** `require('openvino-node').addon`, as far as ovcache uses it. */
export interface OpenvinoNodeAddon {
  Core: new () => OpenvinoNodeCore;
  Tensor: new (type: OpenvinoNodeElementName, shape: number[], tensorData: TypedArray) => OpenvinoNodeTensor;
  getOpenvinoVersion(): { buildNumber: string; description: string };
}
