// LocalModelCache: OpenVINO's CACHE_DIR with keys a person can read, one folder per entry,
// cross-process locking and a switch that really switches it off. docs/caching.md explains
// the design, docs/architecture.md the parts: this class is the façade (options, lifecycle,
// events, statistics) over the key builder, the compile flow, the manifest writer, the budget
// keeper and explain.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import { logger } from '../log';
import type { Core } from '../openvino/core';
import type { OpenVINO } from '../openvino/openvino';
import { isRuntimeModel, type RuntimeCore, type RuntimeInfo, type RuntimeModel } from '../runtime/runtime-port';
import { expectIntegerInRange, invalidArgument } from '../openvino/validate';
import type { BudgetStatus, CacheUsage } from './budget/status';
import { BudgetKeeper } from './budget/keeper';
import { evictLimits } from './budget/limits';
import { BudgetMonitor } from './budget/monitor';
import { SIZE_FACTORS_FILE } from './budget/size-factors';
import { CacheFolder } from './cache-dir';
import { CompileFlow } from './compile-flow';
import type { CompileResult, EvictionReport, EvictOptions, KeyExplanation, KeyInfo, ModelCacheEvents } from './compile-types';
import { ManifestWriter } from './entry/manifest-writer';
import { explainKey } from './explain';
import { KeyBuilder } from './key-builder';
import { resolveCompileOptions, resolveOptions, type CompileOptions, type LocalCacheOptions, type ResolvedOptions } from './options';
import { disposeWhenAbandoned, refuseIfAborted } from './abort/compile-abort';
import { raceAbort } from './abort/signal';
import { emptyStats, type CacheStats } from './stats';
import { WeightlessChooser } from './weightless';
import { CachePolicyKeeper } from './policy/policy';
import { POLICY_FILE, POLICY_LOCK, PolicyStore } from './policy/store';
import { ShapeRouter } from './dynamic/shape-router';
import { ReshapedWarmPath } from './warm/warm-path';
import type { CachePorts, EntryTiers } from './ports';

const log = logger('cache');

/**
 * The model cache with its ports (ports.ts): the local folder, the key, the budget, the policy;
 * tiers below it only as handed in. The package's ModelCache (lib/model-cache.ts) is this one
 * with its tiers made from options.tiers.
 */
export class LocalModelCache extends EventEmitter<ModelCacheEvents> {
  /** The cache folder (created on the first cached compile, never when switched off). */
  readonly dir: string;
  /** False when switched off (enabled: false or OVCACHE_DISABLE). */
  readonly enabled: boolean;
  readonly readOnly: boolean;
  /** Why the cache is off: 'option', 'OVCACHE_DISABLE', or null. */
  readonly disabledBy: 'option' | 'OVCACHE_DISABLE' | null;
  private readonly options: ResolvedOptions;
  private readonly folder: CacheFolder;
  private readonly keys: KeyBuilder;
  private readonly manifests: ManifestWriter;
  private readonly budget: BudgetKeeper;
  private readonly monitor = new BudgetMonitor();
  private readonly flow: CompileFlow;
  private readonly weightless: WeightlessChooser;
  private readonly policy: CachePolicyKeeper;
  private readonly shapes: ShapeRouter;
  /** The tiers below the folder (a port handed in: lib/fleet implements it), if any. */
  private readonly tiers: EntryTiers | undefined;
  private readonly counters: CacheStats = emptyStats();
  private ownCore: Core | undefined;
  private disposed = false;
  /** Whether the package's ModelCache follows this cache with a history recorder (options.history). */
  readonly recordsHistory: boolean;
  /** True once dispose() began. */
  protected get isDisposed(): boolean {
    return this.disposed;
  }
  private compilesInFlight = 0;
  /** options.rewarm 'background' on a cache that writes: the package's ModelCache starts the rewarm. */
  readonly rewarmInBackground: boolean;

  constructor(options: LocalCacheOptions, ports: CachePorts = {}) {
    super();
    const o = resolveOptions(options);
    this.options = o;
    this.dir = o.dir;
    this.enabled = o.enabled;
    this.readOnly = o.readOnly;
    this.disabledBy = o.disabledBy;
    this.folder = new CacheFolder(o.dir, o.shared);
    const layout = this.folder.layout;
    this.keys = new KeyBuilder({
      core: () => this.core,
      runtime: () => this.runtime,
      folder: this.folder,
      enabled: o.enabled,
      readOnly: o.readOnly,
    });
    const writable = o.enabled && !o.readOnly;
    this.policy = new CachePolicyKeeper({
      policy: o.policy,
      writable,
      store: new PolicyStore({
        file: writable ? path.join(layout.fingerprints, POLICY_FILE) : undefined,
        lockPath: path.join(layout.locks, POLICY_LOCK),
        staleLockMs: o.staleLockMs,
      }),
      emit: (event) => this.emit('policy', event),
    });
    const review = this.policy.review.bind(this.policy);
    this.manifests = new ManifestWriter({ layout, staleLockMs: o.staleLockMs, touchIntervalMs: o.touchIntervalMs, review });
    this.budget = new BudgetKeeper({
      dir: o.dir,
      budget: o.budget,
      staleLockMs: o.staleLockMs,
      sizeFactorsFile: o.enabled && !o.readOnly ? path.join(layout.fingerprints, SIZE_FACTORS_FILE) : undefined,
      emit: (event) => this.emit('budget', event),
      currentGeneration: () => ({ buildNumber: this.runtime.version.buildNumber, deviceIdentities: this.keys.knownDeviceIdentities() }),
    });
    this.weightless = new WeightlessChooser(o.weightless, () => this.core);
    this.shapes = new ShapeRouter({
      dynamic: o.dynamicShapes,
      growthEntries: o.growthEntries,
      layout,
      readOnly: o.readOnly,
      staleLockMs: o.staleLockMs,
      isHeld: (key) => this.budget.isHeld(key),
      emitGrowth: (event) => this.emit('growth', event),
    });
    this.tiers = ports.tiers?.({ dir: o.dir, lockTimeoutMs: o.lockTimeoutMs, staleLockMs: o.staleLockMs });
    this.flow = new CompileFlow({
      core: () => this.core,
      folder: this.folder,
      keys: this.keys,
      manifests: this.manifests,
      budget: this.budget,
      budgetActive: this.budgetActive,
      readOnly: o.readOnly,
      lockTimeoutMs: o.lockTimeoutMs,
      staleLockMs: o.staleLockMs,
      counters: this.counters,
      weightless: this.weightless,
      policy: this.policy,
      warm: new ReshapedWarmPath(() => this.core),
      tiers: o.enabled && !o.readOnly ? this.tiers : undefined,
      // Asked on every local hit, read-only caches too (a tier's trust applies to what was copied in).
      acceptEntry: this.tiers?.acceptEntry?.bind(this.tiers),
      shapes: this.shapes,
      enabled: o.enabled,
      events: this,
    });
    if (o.budget.monitorIntervalMs !== null && o.enabled) this.startMonitor(o.budget.monitorIntervalMs);
    this.recordsHistory = o.history;
    this.rewarmInBackground = o.rewarm === 'background' && o.enabled && !o.readOnly;
    const state = o.enabled
      ? o.readOnly
        ? ', read-only'
        : ''
      : `, switched off by ${o.disabledBy === 'option' ? 'enabled: false' : 'OVCACHE_DISABLE'}`;
    log('cache %s (%s)%s', o.dir, o.dirSource, state);
  }

  /** The Core compiles run on: the one given, or one created from `runtime` on first use. */
  get core(): RuntimeCore {
    if (this.options.core) return this.options.core;
    this.ownCore ??= (this.options.runtime as OpenVINO).createCore();
    return this.ownCore;
  }

  get runtime(): RuntimeInfo {
    return this.options.core?.runtime ?? (this.options.runtime as OpenVINO);
  }

  /** compile() calls not yet settled: a background rewarm waits while there are any. */
  get activeCompiles(): number {
    return this.compilesInFlight;
  }

  /** Counters since creation (or resetStats()). A copy: safe to keep. */
  stats(): CacheStats {
    return { ...this.counters };
  }

  resetStats(): void {
    Object.assign(this.counters, emptyStats());
  }

  /**
   * Compiles `model` (an .xml path or a Model) for a device, through the cache: a hit loads
   * the entry's blob, a miss compiles and fills the entry. The caller owns the CompiledModel.
   */
  async compile(model: string | RuntimeModel, options: CompileOptions): Promise<CompileResult> {
    const started = performance.now();
    this.checkNotDisposed();
    const opts = resolveCompileOptions(options);
    checkModelArgument(model);
    refuseIfAborted(opts.waits.signal, this.counters);
    this.compilesInFlight++;
    const compiling = this.flow.compileAndRecord(model, opts, started);
    return raceAbort(compiling, opts.waits.signal, disposeWhenAbandoned(this.counters)).finally(() => this.compilesInFlight--);
  }

  /** The key a compile would use, with its parts and entry folder, without compiling. */
  async keyFor(model: string | RuntimeModel, options: CompileOptions): Promise<KeyInfo> {
    this.checkNotDisposed();
    const opts = resolveCompileOptions(options, 'cache.keyFor()');
    checkModelArgument(model);
    const cached = opts.cache && this.enabled;
    const prep = await this.keys.prepare(model, cached ? this.weightless.apply(model, opts) : opts);
    try {
      if (cached) await this.shapes.route(model, opts, prep, (shapes) => this.keys.reshapePrepared(prep, shapes), false);
    } finally {
      if (prep.ownsModel) prep.modelObject?.dispose();
    }
    return { key: prep.key, parts: prep.parts, entryDir: prep.entryDir };
  }

  /**
   * What a key is made of, the state of its entry, and how it differs from the other entries
   * of the same model: the answer to "why did this compile miss?". Accepts a unique prefix
   * of at least 8 hex digits.
   */
  explain(keyOrPrefix: string): Promise<KeyExplanation> {
    return explainKey(this.folder.layout, keyOrPrefix, this.keys.knownKeys());
  }

  /**
   * Bytes and entries in all, by model and by device, what no entry accounts for, the volume's
   * free and total space, and how far along each budget limit is. Scans the folder.
   */
  usage(): Promise<CacheUsage> {
    return this.budget.usage();
  }

  /**
   * Evicts now: least recently used entries above maxBytes (down to the low watermark),
   * entries older than maxAge, beyond maxEntriesPerModel. Each limit defaults to the cache's
   * option. Protected entries (compiling, held by the registry, locked or being loaded by
   * another process) stay. Returns what was removed (or would be, with dryRun).
   */
  async evict(options: EvictOptions = {}): Promise<EvictionReport> {
    this.checkNotDisposed();
    const { limits, dryRun } = evictLimits(options, this.options.budget);
    if (!this.enabled) {
      log('evict: the cache is switched off; nothing removed');
      return { dryRun, removed: [], skipped: [], bytesFreed: 0, before: { bytes: 0, entries: 0 }, after: { bytes: 0, entries: 0 } };
    }
    if (this.readOnly && !dryRun)
      throw new OvcacheError('OVCACHE_CACHE_READ_ONLY', `Cache ${this.dir} is read-only: nothing can be evicted`);
    const pass = await this.budget.evict(limits, dryRun);
    const { removed, skipped, bytesFreed, before } = pass;
    return { dryRun, removed, skipped, bytesFreed, before, after: { bytes: pass.usedBytes, entries: pass.entries } };
  }

  /**
   * Checks the budget now, as the monitor does: measures, evicts what the limits require
   * (not in a read-only cache), emits `budget` events for crossings. null without a budget.
   */
  async checkBudget(): Promise<BudgetStatus | null> {
    this.checkNotDisposed();
    if (!this.enabled || !this.budget.hasLimits) return null;
    if (!this.readOnly) return this.budget.check();
    const u = await this.usage();
    this.budget.checkUsage(u.bytes, u.volume);
    return u.budget;
  }

  /** Checks the budget every intervalMs (default: the monitorIntervalMs option, else 60000) on an unref'd timer, until stopMonitor() or dispose(). */
  startMonitor(intervalMs?: number): void {
    this.checkNotDisposed();
    const ms =
      intervalMs === undefined ? (this.options.budget.monitorIntervalMs ?? 60_000) : expectIntegerInRange(intervalMs, 'intervalMs', 100);
    this.monitor.start(ms, () => (this.disposed ? Promise.resolve() : this.checkBudget()));
  }

  stopMonitor(): void {
    this.monitor.stop();
  }

  /**
   * Keeps an entry from eviction until the returned function is called. ModelRegistry holds
   * the entries of the models it keeps loaded.
   */
  hold(key: string): () => void {
    return this.budget.hold(key);
  }

  /** Waits for background manifest updates (last-used times, hit counts) and publishes to tiers. */
  async flush(): Promise<void> {
    await this.manifests.flush();
    await this.tiers?.flush();
  }

  /** Flushes, then disposes the Core this cache created (a Core passed in stays the caller's). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.stopMonitor();
    await this.flush();
    await this.budget.drain();
    await this.tiers?.close?.();
    this.disposed = true;
    this.ownCore?.dispose();
    this.ownCore = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Whether compiles check the budget: a limit is set and this cache may write. */
  private get budgetActive(): boolean {
    return this.enabled && !this.readOnly && this.budget.hasLimits;
  }

  /** Throws OVCACHE_DISPOSED after dispose(). */
  protected checkNotDisposed(): void {
    if (this.disposed) throw new OvcacheError('OVCACHE_DISPOSED', 'This ModelCache has been disposed');
  }
}

function checkModelArgument(model: unknown): void {
  if (isRuntimeModel(model)) return;
  if (typeof model !== 'string' || model.length === 0 || model.includes('\0')) {
    throw invalidArgument('a model path (.xml) or a Model', 'model', model);
  }
}
