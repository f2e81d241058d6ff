// A model compiled for one device: create inference requests, read its properties, export it.
import path from 'node:path';
import type { NativeCompiledModel } from '../runtime/native-binding';
import { callNative, callNativeAsync } from '../runtime/native-errors';
import { InferRequest } from './infer-request';
import { fromNativePorts, type PortInfo } from './port';
import { canonicalPropertyValue, checkPropertyKey, parseBoolProperty, type PropertyValue } from './properties';
import { expectString } from './validate';
import { NativeHandle } from './native-handle';

export class CompiledModel extends NativeHandle<NativeCompiledModel> {
  /** The device it was compiled for. */
  readonly device: string;
  private cachedInputs: PortInfo[] | undefined;
  private bareInputShapes: Record<string, number[]> | undefined;

  /** @internal */
  constructor(native: NativeCompiledModel, device: string) {
    super(native);
    this.device = device;
  }

  get inputs(): PortInfo[] {
    this.cachedInputs ??= fromNativePorts(callNative(() => this.native.inputs()));
    return this.cachedInputs;
  }

  get outputs(): PortInfo[] {
    return fromNativePorts(callNative(() => this.native.outputs()));
  }

  /**
   * True when OpenVINO imported this model from its cache (LOADED_FROM_CACHE) rather than
   * compiling it. False also when the runtime does not report the property.
   */
  get loadedFromCache(): boolean {
    try {
      return parseBoolProperty(this.getProperty('LOADED_FROM_CACHE')) ?? false;
    } catch (error) {
      if ((error as { code?: string }).code === 'OVCACHE_DISPOSED') throw error;
      return false;
    }
  }

  getProperty(key: string): string {
    checkPropertyKey(key);
    return callNative(() => this.native.getProperty(key));
  }

  setProperty(key: string, value: PropertyValue): void {
    checkPropertyKey(key);
    const text = canonicalPropertyValue(key, value);
    callNative(() => this.native.setProperty(key, text));
  }

  /**
   * @internal The shapes a bare typed array takes on a dynamic input: the static size a caller
   * asked ModelCache for when a dynamic variant serves it.
   */
  setBareInputShapes(shapes: Record<string, number[]>): void {
    this.bareInputShapes = shapes;
  }

  createInferRequest(): InferRequest {
    const inputs = this.inputs;
    return new InferRequest(
      callNative(() => this.native.createInferRequest()),
      inputs,
      this.bareInputShapes,
    );
  }

  /** Writes the compiled model to `file` (importable with core.importModel). */
  async exportModel(file: string): Promise<void> {
    const target = path.resolve(expectString(file, 'file', 'a file path'));
    await callNativeAsync(() => this.native.exportModel(target));
  }
}
