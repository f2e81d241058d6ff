// RuntimeCompiledModel over an openvino-node CompiledModel. Element types of its ports come
// from a request's tensors (openvino-node's Output has none); LOADED_FROM_CACHE is read with
// getProperty, and reads as false, logged, when the runtime does not answer.
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../../errors';
import { logger } from '../../log';
import type { PortInfo } from '../../openvino/port';
import { checkPropertyKey, parseBoolProperty } from '../../openvino/properties';
import { expectString } from '../../openvino/validate';
import type { RuntimeCompiledModel } from '../../runtime/runtime-port';
import type { OpenvinoNodeAddon, OpenvinoNodeCompiledModel, OpenvinoNodeOutput, OpenvinoNodeTensor } from './addon-types';
import { callOpenvinoNode } from './errors';
import { OpenvinoNodeInferRequestAdapter } from './infer-request';
import { elementTypeOf, portOf, propertyText } from './values';

const log = logger('openvino-node');

export class OpenvinoNodeCompiledModelAdapter implements RuntimeCompiledModel {
  readonly device: string;
  private handle: OpenvinoNodeCompiledModel | undefined;
  private ports: { inputs: PortInfo[]; outputs: PortInfo[] } | undefined;
  private bareInputShapes: Record<string, number[]> | undefined;

  /** @internal */
  constructor(
    compiled: OpenvinoNodeCompiledModel,
    device: string,
    private readonly addon: OpenvinoNodeAddon,
  ) {
    this.handle = compiled;
    this.device = device;
  }

  /** @internal The openvino-node CompiledModel. */
  get compiled(): OpenvinoNodeCompiledModel {
    if (this.handle === undefined) throw new OvcacheError('OVCACHE_DISPOSED', 'This CompiledModel has been disposed');
    return this.handle;
  }

  get disposed(): boolean {
    return this.handle === undefined;
  }

  get inputs(): PortInfo[] {
    return this.readPorts().inputs;
  }

  get outputs(): PortInfo[] {
    return this.readPorts().outputs;
  }

  get loadedFromCache(): boolean {
    let value: string;
    try {
      value = this.getProperty('LOADED_FROM_CACHE');
    } catch (error) {
      if ((error as { code?: string }).code === 'OVCACHE_DISPOSED') throw error;
      log('LOADED_FROM_CACHE unreadable through openvino-node, counted as a compile: %s', (error as Error).message);
      return false;
    }
    return parseBoolProperty(value) ?? false;
  }

  getProperty(key: string): string {
    checkPropertyKey(key);
    const compiled = this.compiled;
    return propertyText(
      callOpenvinoNode('CompiledModel.getProperty', () => compiled.getProperty(key)),
      key,
    );
  }

  /** The shapes a bare TypedArray takes on dynamic inputs (a dynamic variant serving a size). */
  setBareInputShapes(shapes: Record<string, number[]>): void {
    this.bareInputShapes = shapes;
  }

  createInferRequest(): OpenvinoNodeInferRequestAdapter {
    const inputs = this.inputs;
    const compiled = this.compiled;
    return new OpenvinoNodeInferRequestAdapter(
      callOpenvinoNode('CompiledModel.createInferRequest', () => compiled.createInferRequest()),
      this.addon,
      inputs,
      this.bareInputShapes,
    );
  }

  /**
   * openvino-node exports synchronously only (exportModelSync): the export blocks the event
   * loop while the runtime serializes; the file is then written asynchronously.
   */
  async exportModel(file: string): Promise<void> {
    const target = path.resolve(expectString(file, 'file', 'a file path'));
    const compiled = this.compiled;
    const bytes = callOpenvinoNode('CompiledModel.exportModelSync', () => compiled.exportModelSync());
    await fs.promises.writeFile(target, bytes);
  }

  dispose(): void {
    this.handle = undefined;
    this.ports = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Ports with element types read once from a request's tensors. */
  private readPorts(): { inputs: PortInfo[]; outputs: PortInfo[] } {
    if (this.ports) return this.ports;
    const compiled = this.compiled;
    const request = callOpenvinoNode('CompiledModel.createInferRequest', () => compiled.createInferRequest());
    const read = (outputs: OpenvinoNodeOutput[], call: string, tensor: (i: number) => OpenvinoNodeTensor): PortInfo[] =>
      outputs.map((o, i) => {
        const elementType = elementTypeOf(callOpenvinoNode(call, () => tensor(i).getElementType()));
        return callOpenvinoNode('Output.getPartialShape', () => portOf(o, elementType));
      });
    this.ports = {
      inputs: read(compiled.inputs, 'InferRequest.getInputTensor', (i) => request.getInputTensor(i)),
      outputs: read(compiled.outputs, 'InferRequest.getOutputTensor', (i) => request.getOutputTensor(i)),
    };
    return this.ports;
  }
}
