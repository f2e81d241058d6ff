// loadOpenVINO(): find the C API library, open it through the addon, check its version.
import type { NativeBinding, NativeRuntime } from '../runtime/native-binding';
import { loadNativeBinding } from '../runtime/binding';
import { findRuntimeLibrary, type FinderOptions } from '../runtime/finder';
import type { Probe } from '../runtime/probe';
import { callNative } from '../runtime/native-errors';
import { checkSupported, parseBuildNumber, type OpenVINOVersion } from '../runtime/version';
import { logger } from '../log';
import { Core } from './core';
import { expectPlainObject, rejectUnknownOptions } from './validate';

const log = logger('runtime');

export interface LoadOptions {
  /** The C API library (libopenvino_c.so*, openvino_c.dll) or its folder. Searched for when absent. */
  libraryPath?: string;
  /** Another build of the addon: a path to a .node file, or the loaded module (tests). */
  nativeBinding?: string | NativeBinding;
  /** Accept a runtime outside the supported version range. Same as OVCACHE_SKIP_VERSION_CHECK=1. */
  skipVersionCheck?: boolean;
  /** Finder settings (environment, platform) for tests and diagnostics. */
  finder?: Omit<FinderOptions, 'libraryPath'>;
}

const LOAD_OPTIONS = ['libraryPath', 'nativeBinding', 'skipVersionCheck', 'finder'] as const;

/** A loaded OpenVINO runtime. One per library path per process. */
export class OpenVINO {
  readonly version: OpenVINOVersion;
  readonly libraryPath: string;
  /** Where the finder found the library ("libraryPath option", "OPENVINO_LIB_PATH", ...). */
  readonly source: string;
  /** Every place the finder looked, in order. */
  readonly probes: Probe[];
  /** True for the project's test stand-in: its timings are simulated, not OpenVINO's. */
  readonly isStandIn: boolean;
  /** @internal */
  readonly native: NativeRuntime;

  /** @internal */
  constructor(native: NativeRuntime, source: string, probes: Probe[]) {
    this.native = native;
    this.libraryPath = native.libraryPath;
    this.version = parseBuildNumber(native.buildNumber, native.description);
    this.source = source;
    this.probes = probes;
    this.isStandIn = /stand-?in|stub/i.test(native.description) || /-stub\b/.test(native.buildNumber);
  }

  createCore(): Core {
    return new Core(
      callNative(() => this.native.createCore()),
      this,
    );
  }

  /** Whether the runtime exports a C function (older releases lack some). */
  hasSymbol(name: string): boolean {
    return this.native.hasSymbol(name);
  }
}

const loaded = new Map<string, OpenVINO>();

export function loadOpenVINO(options: LoadOptions = {}): Promise<OpenVINO> {
  try {
    return Promise.resolve(loadOpenVINOSync(options));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The synchronous form of loadOpenVINO, for CLIs and start-up code. */
export function loadOpenVINOSync(options: LoadOptions = {}): OpenVINO {
  rejectUnknownOptions(expectPlainObject(options, 'options'), LOAD_OPTIONS, 'loadOpenVINO()');
  const found = findRuntimeLibrary({
    ...options.finder,
    ...(options.libraryPath !== undefined ? { libraryPath: options.libraryPath } : {}),
  });
  const existing = loaded.get(found.libraryPath);
  if (existing) return existing;
  const binding = loadNativeBinding(options.nativeBinding);
  log('opening %s (found via %s)', found.libraryPath, found.source);
  const native = callNative(() => binding.loadRuntime(found.libraryPath));
  const runtime = new OpenVINO(native, found.source, found.probes);
  log('OpenVINO %s, element numbering %s', runtime.version.buildNumber, native.elementNumbering);
  if (!options.skipVersionCheck) checkSupported(runtime.version, runtime.libraryPath, options.finder?.env ?? process.env);
  loaded.set(found.libraryPath, runtime);
  return runtime;
}
