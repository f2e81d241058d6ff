// fromOpenvinoNode(addon): ovcache's RuntimeCore over OpenVINO's own Node binding, so that
// ModelCache, ModelRegistry and the CLI run on the runtime openvino-node downloads (which has
// no C API library for ovcache's binding to load). docs/openvino-node.md lists what maps how.
import fs from 'node:fs';
import { OvcacheError } from '../../errors';
import { checkDevice, checkModelFile } from '../../openvino/core';
import { checkPropertyKey, type CompileConfig } from '../../openvino/properties';
import { invalidArgument } from '../../openvino/validate';
import type { RuntimeCore, RuntimeInfo, RuntimeModel } from '../../runtime/runtime-port';
import type { OpenvinoNodeAddon, OpenvinoNodeCompiledModel, OpenvinoNodeCore } from './addon-types';
import { OpenvinoNodeCompiledModelAdapter } from './compiled-model';
import { callOpenvinoNode, callOpenvinoNodeAsync } from './errors';
import { irInputElementTypes } from './ir-inputs';
import { OpenvinoNodeModelAdapter } from './model';
import { propertyText, toOpenvinoNodeConfig } from './values';

/** The runtime behind an openvino-node addon, as keys and reports see it. */
export interface OpenvinoNodeRuntimeInfo extends RuntimeInfo {
  readonly version: { readonly buildNumber: string; readonly description: string };
  /** Always 'openvino-node': which binding runs the runtime. */
  readonly binding: 'openvino-node';
}

export class OpenvinoNodeCoreAdapter implements RuntimeCore {
  readonly runtime: OpenvinoNodeRuntimeInfo;
  private handle: OpenvinoNodeCore | undefined;

  /** @internal Use fromOpenvinoNode(addon). */
  constructor(
    private readonly addon: OpenvinoNodeAddon,
    runtime: OpenvinoNodeRuntimeInfo,
  ) {
    this.runtime = runtime;
    this.handle = callOpenvinoNode('new Core', () => new addon.Core());
  }

  get disposed(): boolean {
    return this.handle === undefined;
  }

  availableDevices(): string[] {
    const core = this.core();
    return callOpenvinoNode('Core.getAvailableDevices', () => core.getAvailableDevices());
  }

  /** A property as text; device "" reads a core-level one (openvino-node's one-argument form). */
  getProperty(device: string, key: string): string {
    if (typeof device !== 'string') throw invalidArgument('a device name or ""', 'device', device);
    checkPropertyKey(key);
    const core = this.core();
    const value = callOpenvinoNode('Core.getProperty', () => (device === '' ? core.getProperty(key) : core.getProperty(device, key)));
    return propertyText(value, key);
  }

  async readModel(xmlPath: string, binPath?: string): Promise<OpenvinoNodeModelAdapter> {
    const xml = checkModelFile(xmlPath, 'xmlPath');
    const bin = binPath === undefined ? undefined : checkModelFile(binPath, 'binPath');
    const core = this.core();
    const [model, inputTypes] = await Promise.all([
      callOpenvinoNodeAsync('Core.readModel', () => (bin === undefined ? core.readModel(xml) : core.readModel(xml, bin))),
      irInputElementTypes(xml),
    ]);
    return new OpenvinoNodeModelAdapter(model, xml, inputTypes);
  }

  /** From a path (openvino-node reads it; a CACHE_DIR hit skips reading) or a Model this adapter read. */
  async compileModel(model: RuntimeModel | string, device: string, config?: CompileConfig): Promise<OpenvinoNodeCompiledModelAdapter> {
    checkDevice(device);
    const properties = toOpenvinoNodeConfig(config);
    const core = this.core();
    let compiled: OpenvinoNodeCompiledModel;
    if (typeof model === 'string') {
      const file = checkModelFile(model, 'model');
      compiled = await callOpenvinoNodeAsync('Core.compileModel', () => core.compileModel(file, device, properties));
    } else if (model instanceof OpenvinoNodeModelAdapter) {
      const native = model.model;
      compiled = await callOpenvinoNodeAsync('Core.compileModel', () => core.compileModel(native, device, properties));
    } else {
      throw invalidArgument('a model path or a Model read by this openvino-node core', 'model', model);
    }
    return new OpenvinoNodeCompiledModelAdapter(compiled, device, this.addon);
  }

  /** Imports what exportModel wrote (bytes or a file path). */
  async importModel(source: Uint8Array | string, device: string): Promise<OpenvinoNodeCompiledModelAdapter> {
    checkDevice(device);
    let data: Buffer;
    if (typeof source === 'string') data = await fs.promises.readFile(checkModelFile(source, 'source'));
    else if (source instanceof Uint8Array) data = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    else throw invalidArgument('a Uint8Array or a file path', 'source', source);
    const core = this.core();
    const compiled = await callOpenvinoNodeAsync('Core.importModel', () => core.importModel(data, device));
    return new OpenvinoNodeCompiledModelAdapter(compiled, device, this.addon);
  }

  /** openvino-node frees its Core when it is collected: this drops the reference. */
  dispose(): void {
    this.handle = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private core(): OpenvinoNodeCore {
    if (this.handle === undefined) throw new OvcacheError('OVCACHE_DISPOSED', 'This Core has been disposed');
    return this.handle;
  }
}

const ADDON_MEMBERS = ['Core', 'Tensor', 'getOpenvinoVersion'] as const;

/**
 * ovcache's RuntimeCore over openvino-node: `new ModelCache({ core: fromOpenvinoNode(require('openvino-node').addon) })`.
 * Checks the addon's shape and reads the runtime's version once.
 */
export function fromOpenvinoNode(addon: OpenvinoNodeAddon): OpenvinoNodeCoreAdapter {
  const value = addon as unknown as Record<string, unknown> | null;
  if (value === null || typeof value !== 'object' || ADDON_MEMBERS.some((m) => typeof value[m] !== 'function')) {
    throw invalidArgument("openvino-node's addon (require('openvino-node').addon)", 'addon', addon);
  }
  const version = callOpenvinoNode('getOpenvinoVersion', () => addon.getOpenvinoVersion());
  const buildNumber = String(version.buildNumber);
  const description = String(version.description);
  return new OpenvinoNodeCoreAdapter(addon, {
    version: { buildNumber, description },
    isStandIn: /stand-?in|stub/i.test(description) || /-stub\b/.test(buildNumber),
    binding: 'openvino-node',
  });
}
