// The OpenVINO Core: devices, properties, reading, compiling and importing models.
import fs from 'node:fs';
import path from 'node:path';
import type { NativeCore } from '../runtime/native-binding';
import { callNative, callNativeAsync } from '../runtime/native-errors';
import { OvcacheError } from '../errors';
import { CompiledModel } from './compiled-model';
import { Model } from './model';
import type { OpenVINO } from './openvino';
import { canonicalPropertyValue, checkPropertyKey, toPropertyPairs, type CompileConfig, type PropertyValue } from './properties';
import { expectString, invalidArgument } from './validate';
import { NativeHandle } from './native-handle';
import type { RuntimeCore } from '../runtime/runtime-port';

export interface DeviceInfo {
  name: string;
  /** FULL_DEVICE_NAME */
  fullName: string;
  /** OPTIMIZATION_CAPABILITIES */
  capabilities: string[];
  /** Whether the device can export/import compiled models, which caching needs. */
  canCache: boolean;
  /** DEVICE_ARCHITECTURE, where the device reports it. */
  architecture?: string;
}

/** A device's name, capabilities and caching ability, through any runtime's getProperty. */
export function deviceInfoOf(core: Pick<RuntimeCore, 'getProperty'>, device: string): DeviceInfo {
  const fullName = core.getProperty(device, 'FULL_DEVICE_NAME');
  const capabilities = core
    .getProperty(device, 'OPTIMIZATION_CAPABILITIES')
    .split(/[\s,]+/)
    .filter(Boolean);
  let architecture: string | undefined;
  try {
    architecture = core.getProperty(device, 'DEVICE_ARCHITECTURE');
  } catch {
    architecture = undefined;
  }
  return {
    name: device,
    fullName,
    capabilities,
    canCache: capabilities.includes('EXPORT_IMPORT'),
    ...(architecture ? { architecture } : {}),
  };
}

const DEVICE = /^[A-Z][A-Z0-9_]*(\.\d+)?(:[A-Z0-9_.,]+)?$/;

export class Core extends NativeHandle<NativeCore> {
  /** The runtime this core belongs to. */
  readonly runtime: OpenVINO;

  /** @internal */
  constructor(native: NativeCore, runtime: OpenVINO) {
    super(native);
    this.runtime = runtime;
  }

  availableDevices(): string[] {
    return callNative(() => this.native.availableDevices());
  }

  deviceInfo(device: string): DeviceInfo {
    checkDevice(device);
    return deviceInfoOf(this, device);
  }

  /** Reads a property; device "" reads a core-level one (e.g. CACHE_DIR). */
  getProperty(device: string, key: string): string {
    if (typeof device !== 'string') throw invalidArgument('a device name or ""', 'device', device);
    checkPropertyKey(key);
    return callNative(() => this.native.getProperty(device, key));
  }

  /** setProperty(key, value) for every device, or setProperty(device, key, value). */
  setProperty(key: string, value: PropertyValue): void;
  setProperty(device: string, key: string, value: PropertyValue): void;
  setProperty(a: string, b: PropertyValue, c?: PropertyValue): void {
    const [device, key, value] = c === undefined ? [null, a, b] : [checkDevice(a), b, c];
    checkPropertyKey(key);
    const text = canonicalPropertyValue(key as string, value);
    callNative(() => this.native.setProperty(device, key as string, text));
  }

  /** Reads an IR model (.xml, with its .bin beside it unless `binPath` is given). */
  async readModel(xmlPath: string, binPath?: string): Promise<Model> {
    const xml = checkModelFile(xmlPath, 'xmlPath');
    const bin = binPath === undefined ? '' : checkModelFile(binPath, 'binPath');
    const native = await callNativeAsync(() => this.native.readModel(xml, bin));
    return new Model(native, xml);
  }

  /**
   * Compiles a model for a device. Given a path, OpenVINO reads the model itself and, with
   * CACHE_DIR set, skips reading it entirely on a cache hit.
   */
  async compileModel(model: Model | string, device: string, config?: CompileConfig): Promise<CompiledModel> {
    checkDevice(device);
    const pairs = toPropertyPairs(config);
    if (typeof model === 'string') {
      const file = checkModelFile(model, 'model');
      const native = await callNativeAsync(() => this.native.compileModelFromFile(file, device, pairs));
      return new CompiledModel(native, device);
    }
    if (!(model instanceof Model)) throw invalidArgument('a Model or a model path', 'model', model);
    const native = await callNativeAsync(() => this.native.compileModel(model.native, device, pairs));
    return new CompiledModel(native, device);
  }

  /** Imports a model exported with compiled.exportModel (bytes or a file path). */
  async importModel(source: Uint8Array | string, device: string): Promise<CompiledModel> {
    checkDevice(device);
    let data: Uint8Array;
    if (typeof source === 'string') {
      const file = checkModelFile(source, 'source');
      data = await fs.promises.readFile(file);
    } else if (source instanceof Uint8Array) {
      data = source;
    } else {
      throw invalidArgument('a Uint8Array or a file path', 'source', source);
    }
    const native = await callNativeAsync(() => this.native.importModel(data, device));
    return new CompiledModel(native, device);
  }
}

export function checkDevice(device: unknown): string {
  if (typeof device !== 'string' || !DEVICE.test(device)) {
    throw invalidArgument('a device name such as "CPU", "GPU", "GPU.1" or "AUTO:GPU,CPU"', 'device', device);
  }
  return device;
}

/** Resolves a model file path and checks it is a regular file, with a clear error if not. */
export function checkModelFile(file: unknown, name: string): string {
  const resolved = path.resolve(expectString(file, name, 'a file path'));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new OvcacheError('OVCACHE_MODEL_NOT_FOUND', `Model file not found: ${resolved}`);
  }
  if (!stat.isFile()) throw new OvcacheError('OVCACHE_MODEL_INVALID', `Model path is not a file: ${resolved}`);
  return resolved;
}
