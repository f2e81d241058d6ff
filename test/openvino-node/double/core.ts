// openvino-node's Core over ovcache's Core (and so over the stand-in runtime).
import type { Core } from '../../../lib/index';
import { DoubleCompiledModel } from './compiled-model';
import { DoubleModel } from './model';
import { asOpenvinoNode, asOpenvinoNodeAsync, asPublished, notInDouble, type Instance, type ovn } from './published';
import { typedValue } from './compiled-model';

type Config = Record<string, ovn.OVAny>;

/** ovcache's CompileConfig takes the same string/number/boolean values openvino-node does. */
const configOf = (config: Config | undefined): Config => config ?? {};

export class DoubleCore implements Instance<ovn.Core> {
  constructor(readonly core: Core) {}

  addExtension(): void {
    throw notInDouble('Core.addExtension');
  }

  async compileModel(model: ovn.Model | string, deviceName: string, config?: Config): Promise<ovn.CompiledModel> {
    const source = typeof model === 'string' ? model : unwrap(model);
    const compiled = await asOpenvinoNodeAsync(() => this.core.compileModel(source, deviceName, configOf(config)));
    return asPublished<ovn.CompiledModel>(new DoubleCompiledModel(compiled));
  }

  compileModelSync(): ovn.CompiledModel {
    throw notInDouble('Core.compileModelSync');
  }

  getAvailableDevices(): string[] {
    return asOpenvinoNode(() => this.core.availableDevices());
  }

  getProperty(deviceOrName: string, propertyName?: string): ovn.OVAny {
    const [device, key] = propertyName === undefined ? ['', deviceOrName] : [deviceOrName, propertyName];
    return typedValue(asOpenvinoNode(() => this.core.getProperty(device, key)));
  }

  getVersions(deviceName: string): { [deviceName: string]: ovn.Version } {
    const { buildNumber } = this.core.runtime.version;
    return { [deviceName]: { buildNumber, description: 'openvino-node conformance double over the ovcache stand-in' } };
  }

  async importModel(model: ovn.Tensor | Buffer, device: string, config?: Config): Promise<ovn.CompiledModel> {
    if (config !== undefined && Object.keys(config).length > 0) throw notInDouble('importModel with a config');
    const bytes = Buffer.isBuffer(model) ? model : new Uint8Array(model.getData().buffer);
    const compiled = await asOpenvinoNodeAsync(() => this.core.importModel(bytes, device));
    return asPublished<ovn.CompiledModel>(new DoubleCompiledModel(compiled));
  }

  importModelSync(): ovn.CompiledModel {
    throw notInDouble('Core.importModelSync');
  }

  async readModel(model: string | Uint8Array, weights?: string | ovn.Tensor | Uint8Array): Promise<ovn.Model> {
    if (typeof model !== 'string' || (weights !== undefined && typeof weights !== 'string'))
      throw notInDouble('reading a model from memory');
    const read = await asOpenvinoNodeAsync(() => this.core.readModel(model, weights));
    return asPublished<ovn.Model>(new DoubleModel(read));
  }

  readModelSync(): ovn.Model {
    throw notInDouble('Core.readModelSync');
  }

  setProperty(deviceOrProperties: string | Config, properties?: Config): void {
    const [device, values] =
      typeof deviceOrProperties === 'string' ? [deviceOrProperties, properties ?? {}] : [undefined, deviceOrProperties];
    for (const [key, value] of Object.entries(values)) {
      asOpenvinoNode(() => (device === undefined ? this.core.setProperty(key, value) : this.core.setProperty(device, key, value)));
    }
  }

  queryModel(): { [key: string]: string } {
    throw notInDouble('Core.queryModel');
  }
}

function unwrap(model: ovn.Model): DoubleModel['model'] {
  const double = model as unknown;
  if (!(double instanceof DoubleModel)) throw new Error("'compileModel' method called with incorrect parameters.");
  return double.model;
}
