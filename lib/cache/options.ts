// ModelCache options: checked and defaulted here, so the rest of lib/cache sees only valid values.
import path from 'node:path';
import { OvcacheError } from '../errors';
import { isTruthyFlag } from '../log';
import { MAX_TIMER_MS } from '../timers/long-timer';
import { OpenVINO } from '../openvino/openvino';
import type { CompileConfig } from '../openvino/properties';
import type { ShapeInput } from '../openvino/shapes';
import { isRuntimeCore, type RuntimeCore } from '../runtime/runtime-port';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import { BUDGET_OPTIONS, resolveBudget, type BudgetOptions, type ResolvedBudget } from './budget/options';
import { defaultCacheDir } from './default-dir';
import type { SharedMode } from './cache-dir';
import { DEFAULT_STALE_LOCK_MS } from './entry/lock';
import { POLICY_OPTIONS, resolvePolicy, type PolicyOptions, type ResolvedPolicy } from './policy/options';
import {
  resolveDynamicShapes,
  resolveGrowthWarning,
  type DynamicShapesOption,
  type GrowthWarningOption,
  type ResolvedDynamicShapes,
} from './dynamic/options';
import { resolveCompileWaits, WAIT_OPTIONS, type CompileWaits } from './abort/compile-waits';
import type { CompileProgressListener } from './progress/compile-progress';

/**
 * The local cache's options. Budget options (maxBytes, minFreeBytes, ...) are declared in
 * budget/options.ts, the caching policy's in policy/options.ts; the tiers' (tiers, trust, ...)
 * above the cache, in lib/model-cache.ts, which hands the cache its tiers as a port (ports.ts).
 */
export interface LocalCacheOptions extends BudgetOptions, PolicyOptions {
  /** The Core to compile with (ovcache's, or `fromOpenvinoNode(addon)`). Give this or `runtime`. */
  core?: RuntimeCore;
  /** A loaded runtime: the cache creates (and disposes) its own Core. */
  runtime?: OpenVINO;
  /** Cache folder. Default: OVCACHE_DIR, else the user cache folder + "ovcache". */
  dir?: string;
  /** false compiles without any cache and never touches the folder. OVCACHE_DISABLE=1 forces false. */
  enabled?: boolean;
  /** Use existing entries, never write (a shared read-only volume). */
  readOnly?: boolean;
  /** How long to wait for another process compiling the same entry. Default 300000 (5 min). */
  lockTimeoutMs?: number;
  /** A lock its holder has not refreshed for this long is taken over. Default 10000, minimum 2000, maximum 2^31-1 (24.8 days). */
  staleLockMs?: number;
  /** Last-used time and hit count are written at most this often per entry. Default 60000. */
  touchIntervalMs?: number;
  /** Environment to read OVCACHE_DIR / OVCACHE_DISABLE from. Default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * 'group': a cache shared by the members of the folder's group (folders 2770; a group-writable
   * folder owned by another member is accepted). Default: owner-only, and a folder writable by
   * others or owned by another user is refused (OVCACHE_CACHE_DIR_INSECURE).
   */
  shared?: 'group' | false;
  /**
   * Keep the weights out of the blobs (they are mapped from the model's .bin) where the device
   * lists ENABLE_WEIGHTLESS or CACHE_MODE in SUPPORTED_PROPERTIES. Default 'auto'; true fails
   * with OVCACHE_WEIGHTLESS_UNSUPPORTED where it cannot; false writes full blobs.
   */
  weightless?: WeightlessMode;
  /** One dynamic variant after repeated static sizes of a model (dynamic/options.ts). Default: 'auto' on GPU, 'never' elsewhere. */
  dynamicShapes?: DynamicShapesOption;
  /** A `growth` event when one model has more than `entries` entries (default 4); false: never. */
  growthWarning?: GrowthWarningOption;
  /** false: no history in <dir>/history (docs/observability.md). Default true; OVCACHE_NO_HISTORY=1 forces false. */
  history?: boolean;
  /** 'background': after a compile meets only other-build entries, rewarm the other old entries when idle (docs/upgrading.md). Default false. */
  rewarm?: 'background' | false;
}

/** `weightless` of the options: 'auto' where the device can, true (or fail), false (weightless.ts). */
export type WeightlessMode = 'auto' | boolean;

export interface CompileOptions {
  /** "CPU", "GPU", "GPU.1", "AUTO:GPU,CPU", ... */
  device: string;
  /** New input shapes, e.g. { image: [1, 3, 512, 512] } or { image: '1,3,?,?' }. */
  shapes?: Record<string, ShapeInput>;
  /** Compile properties. CACHE_DIR is not allowed: the cache chooses it. */
  config?: CompileConfig;
  /** false: this call compiles without the cache. */
  cache?: boolean;
  /** This compile's weightless mode, over the cache's `weightless` option (rewarm makes an entry's twin in the entry's own mode). */
  weightless?: WeightlessMode;
  /** Stops waiting (for a lock, another caller's compile, a tier): rejects with signal.reason (docs/caching.md). */
  signal?: AbortSignal;
  /** Hears the phases of this compile (fingerprint with a fraction, lock-wait, compile, load, write-entry). */
  onProgress?: CompileProgressListener;
}

export interface ResolvedOptions {
  core: RuntimeCore | undefined;
  runtime: OpenVINO | undefined;
  dir: string;
  dirSource: string;
  enabled: boolean;
  /** Why the cache is off: 'option', 'OVCACHE_DISABLE', or null when on. */
  disabledBy: 'option' | 'OVCACHE_DISABLE' | null;
  readOnly: boolean;
  lockTimeoutMs: number;
  staleLockMs: number;
  touchIntervalMs: number;
  shared: SharedMode;
  /** The disk budget (budget/options.ts). */
  budget: ResolvedBudget;
  weightless: WeightlessMode;
  /** The caching policy (policy/options.ts). */
  policy: ResolvedPolicy;
  dynamicShapes: ResolvedDynamicShapes;
  /** Entries per model above which `growth` is emitted; null: never. */
  growthEntries: number | null;
  /** Whether the cache records its history (lib/history). */
  history: boolean;
  rewarm: 'background' | false;
}

export const LOCAL_CACHE_OPTIONS = [
  'core',
  'runtime',
  'dir',
  'enabled',
  'readOnly',
  'lockTimeoutMs',
  'staleLockMs',
  'touchIntervalMs',
  'env',
  'shared',
  'weightless',
  'dynamicShapes',
  'growthWarning',
  'history',
  'rewarm',
  ...BUDGET_OPTIONS,
  ...POLICY_OPTIONS,
] as const;
export const COMPILE_OPTIONS = ['device', 'shapes', 'config', 'cache', 'weightless', ...WAIT_OPTIONS] as const;

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidArgument('a boolean', name, value);
  return value;
}

export function resolveOptions(input: unknown): ResolvedOptions {
  const options = expectPlainObject(input ?? {}, 'options') as LocalCacheOptions;
  rejectUnknownOptions(options as Record<string, unknown>, LOCAL_CACHE_OPTIONS, 'new ModelCache()');
  if (options.core !== undefined && !isRuntimeCore(options.core)) throw invalidArgument('a Core', 'options.core', options.core);
  if (options.runtime !== undefined && !(options.runtime instanceof OpenVINO)) {
    throw invalidArgument('an OpenVINO runtime (from loadOpenVINO())', 'options.runtime', options.runtime);
  }
  if (options.core === undefined && options.runtime === undefined) {
    throw new OvcacheError(
      'OVCACHE_INVALID_ARGUMENT',
      'Expected options.core or options.runtime for new ModelCache() but received neither',
    );
  }
  const env = options.env === undefined ? process.env : expectPlainObject(options.env, 'options.env');
  let dir: string;
  let dirSource: string;
  if (options.dir !== undefined) {
    if (typeof options.dir !== 'string' || options.dir.trim() === '' || options.dir.includes('\0')) {
      throw invalidArgument('a folder path', 'options.dir', options.dir);
    }
    dir = path.resolve(options.dir);
    dirSource = 'dir option';
  } else {
    ({ dir, source: dirSource } = defaultCacheDir({ env: env as Record<string, string | undefined> }));
  }
  const enabledOption = optionalBoolean(options.enabled, 'options.enabled');
  const envDisabled = isTruthyFlag((env as Record<string, string | undefined>).OVCACHE_DISABLE);
  const disabledBy = envDisabled ? 'OVCACHE_DISABLE' : enabledOption === false ? 'option' : null;
  if (options.shared !== undefined && options.shared !== false && options.shared !== 'group') {
    throw invalidArgument('"group" or false', 'options.shared', options.shared);
  }
  const shared: SharedMode = options.shared === 'group' ? 'group' : 'owner';
  if (options.weightless !== undefined && options.weightless !== 'auto' && typeof options.weightless !== 'boolean') {
    throw invalidArgument('"auto", true or false', 'options.weightless', options.weightless);
  }
  if (options.rewarm !== undefined && options.rewarm !== false && options.rewarm !== 'background')
    throw invalidArgument('"background" or false', 'options.rewarm', options.rewarm);
  return {
    rewarm: options.rewarm ?? false,
    weightless: options.weightless ?? 'auto',
    shared,
    core: options.core,
    runtime: options.runtime,
    dir,
    dirSource,
    enabled: disabledBy === null,
    disabledBy,
    readOnly: optionalBoolean(options.readOnly, 'options.readOnly') ?? false,
    lockTimeoutMs: options.lockTimeoutMs === undefined ? 300_000 : expectIntegerInRange(options.lockTimeoutMs, 'options.lockTimeoutMs', 0),
    staleLockMs:
      options.staleLockMs === undefined
        ? DEFAULT_STALE_LOCK_MS
        : expectIntegerInRange(options.staleLockMs, 'options.staleLockMs', 2000, MAX_TIMER_MS),
    touchIntervalMs:
      options.touchIntervalMs === undefined ? 60_000 : expectIntegerInRange(options.touchIntervalMs, 'options.touchIntervalMs', 0),
    budget: resolveBudget(options),
    policy: resolvePolicy(options),
    dynamicShapes: resolveDynamicShapes(options.dynamicShapes),
    growthEntries: resolveGrowthWarning(options.growthWarning),
    history:
      optionalBoolean(options.history, 'options.history') !== false &&
      !isTruthyFlag((env as Record<string, string | undefined>).OVCACHE_NO_HISTORY),
  };
}

export interface ResolvedCompileOptions {
  device: string;
  shapes: Record<string, ShapeInput> | undefined;
  config: CompileConfig | undefined;
  cache: boolean;
  /** The call's own weightless mode; undefined: the cache's. */
  weightless?: WeightlessMode;
  waits: CompileWaits;
}

export function resolveCompileOptions(input: unknown, where = 'cache.compile()'): ResolvedCompileOptions {
  const options = expectPlainObject(input, 'options') as unknown as CompileOptions;
  rejectUnknownOptions(options as unknown as Record<string, unknown>, COMPILE_OPTIONS, where);
  if (typeof options.device !== 'string' || options.device === '')
    throw invalidArgument('a device name such as "CPU"', 'options.device', options.device);
  let shapes: Record<string, ShapeInput> | undefined;
  if (options.shapes !== undefined) {
    shapes = expectPlainObject(options.shapes, 'options.shapes') as Record<string, ShapeInput>;
    if (Object.keys(shapes).length === 0) shapes = undefined;
  }
  let config: CompileConfig | undefined;
  if (options.config !== undefined) {
    config = expectPlainObject(options.config, 'options.config') as CompileConfig;
    if (config.CACHE_DIR !== undefined) {
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        'config.CACHE_DIR is chosen by ModelCache (one folder per entry); set the cache folder with the dir option, or pass cache: false',
      );
    }
  }
  const cache = optionalBoolean(options.cache, 'options.cache') ?? true;
  const weightless = options.weightless;
  if (weightless !== undefined && weightless !== 'auto' && typeof weightless !== 'boolean') {
    throw invalidArgument('"auto", true or false', 'options.weightless', weightless);
  }
  return {
    device: options.device,
    shapes,
    config,
    cache,
    ...(weightless !== undefined ? { weightless } : {}),
    waits: resolveCompileWaits(options),
  };
}
