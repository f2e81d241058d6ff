// Weightless entries: blobs that keep the weights out and map them from the model's .bin.
// Whether a device can is read from its SUPPORTED_PROPERTIES (ENABLE_WEIGHTLESS, else
// CACHE_MODE=OPTIMIZE_SIZE, as upstream's is_weightless_enabled), never assumed by version.
// OpenVINO cannot tell that the .bin a weightless blob maps is the one it was compiled from;
// the entry's key holds the .bin's sha256, so a changed .bin never reaches that blob.
import fs from 'node:fs';
import { OvcacheError } from '../errors';
import type { RuntimeCore, RuntimeModel } from '../runtime/runtime-port';
import type { CompileConfig } from '../openvino/properties';
import { modelFilesOf } from '../fs/model-files';
import type { ResolvedCompileOptions, WeightlessMode } from './options';

/** `weightless` of ModelCacheOptions: 'auto' where the device can, true (or fail), false. */
export type { WeightlessMode };

/** The property a device takes to write weightless blobs, or null when it lists neither. */
export type WeightlessProperty = 'ENABLE_WEIGHTLESS' | 'CACHE_MODE' | null;

export class WeightlessChooser {
  private readonly byDevice = new Map<string, WeightlessProperty>();

  constructor(
    private readonly mode: WeightlessMode,
    private readonly core: () => RuntimeCore,
  ) {}

  /** The device's weightless property, probed once per device for this cache. */
  propertyOf(device: string): WeightlessProperty {
    let prop = this.byDevice.get(device);
    if (prop === undefined) {
      prop = probe(this.core(), device);
      this.byDevice.set(device, prop);
    }
    return prop;
  }

  /** The compile options with weightless switched on where the mode and the device allow it. */
  apply(model: string | RuntimeModel, opts: ResolvedCompileOptions): ResolvedCompileOptions {
    const mode = opts.weightless ?? this.mode;
    if (mode === false) return opts;
    // The user's own choice stands.
    if (opts.config?.ENABLE_WEIGHTLESS !== undefined || opts.config?.CACHE_MODE !== undefined) return opts;
    // 'auto' on a device without the property: nothing to check (a warm start on CPU pays no syscall here).
    if (mode === 'auto' && this.propertyOf(opts.device) === null) return opts;
    const unsupported = (why: string) => {
      if (mode === 'auto') return opts;
      throw new OvcacheError('OVCACHE_WEIGHTLESS_UNSUPPORTED', `weightless: true, but ${why}`);
    };
    if (typeof model !== 'string') return unsupported('a model object has no .bin the cache can check (pass the model path)');
    const bin = modelFilesOf(model)[1];
    if (bin === undefined || !fs.existsSync(bin)) return unsupported(`${model} has no .bin to map the weights from`);
    const prop = this.propertyOf(opts.device);
    if (prop === null) return unsupported(`device ${opts.device} lists neither ENABLE_WEIGHTLESS nor CACHE_MODE in SUPPORTED_PROPERTIES`);
    const extra: CompileConfig = prop === 'ENABLE_WEIGHTLESS' ? { ENABLE_WEIGHTLESS: true } : { CACHE_MODE: 'OPTIMIZE_SIZE' };
    return { ...opts, config: { ...opts.config, ...extra } };
  }
}

function probe(core: RuntimeCore, device: string): WeightlessProperty {
  let listed: string[];
  try {
    listed = core.getProperty(device, 'SUPPORTED_PROPERTIES').split(/[\s,]+/);
  } catch {
    // AUTO / HETERO / an unknown device: no answer means no weightless blobs.
    return null;
  }
  if (listed.includes('ENABLE_WEIGHTLESS')) return 'ENABLE_WEIGHTLESS';
  return listed.includes('CACHE_MODE') ? 'CACHE_MODE' : null;
}

/** Whether a compile config asks for weightless blobs (upstream's is_weightless_enabled). */
export function asksWeightless(config: CompileConfig | undefined): boolean {
  const ew: unknown = config?.ENABLE_WEIGHTLESS;
  if (ew !== undefined) return ew === true || ew === 'YES' || ew === 'true';
  return config?.CACHE_MODE === 'OPTIMIZE_SIZE';
}
