// ModelRegistry: compiled models kept in memory and shared between requests. Load once,
// reuse, never load the same model twice at once; unload the least recently used past
// maxModels or maxBytes, and models idle past their keep-alive (pinned ones: never); run
// infer() on a pool of infer requests per model behind a bounded queue. A model is disposed
// only when no handle holds it and no inference runs on it.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import { logger } from '../log';
import { ModelCache } from '../cache/model-cache';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { Tensor } from '../openvino/tensor';
import { invalidArgument } from '../openvino/validate';
import type { RegistryEntryInfo, RegistryEvents, RegistryStats, UnloadReason } from './events';
import { fileStamp } from './file-stamp';
import { SlotHandle, type HandleInferOptions, type HandleOwner, type ModelHandle } from './handle';
import { InferPool, optimalInferRequests, type InferInputs } from './infer-pool';
import { abortable } from './abort';
import { SharedAbort } from '../cache/abort/shared-abort';
import { DeviceMemory } from './device-memory';
import { parseKeepAlive } from './keep-alive';
import {
  BATCH_OPTIONS,
  callOptions,
  checkInferOptions,
  disposedError,
  GET_OPTIONS,
  INFER_OPTIONS,
  parseDefinition,
  parseRegistryOptions,
  type LoadedModel,
  type ModelDefinition,
  type ModelRegistryOptions,
  type RegistryBatchOptions,
  type RegistryGetOptions,
  type RegistryInferOptions,
  type RegistryLoader,
  type RegistrySettings,
} from './options';
import { Resolver, type Resolved } from './resolve';
import { runBatch, runInference, type InferResult } from './run';
import { entryInfo, modelStats } from './report';
import { Slot } from './slot';

const log = logger('registry');
const noop = (): void => undefined;

export class ModelRegistry extends EventEmitter<RegistryEvents> {
  private readonly loader: RegistryLoader;
  /** The cache whose entries the loaded models came from: told which keys are held. */
  private readonly cache: ModelCache | undefined;
  private readonly settings: RegistrySettings;
  private readonly resolver = new Resolver();
  /** Insertion order is recency: the first slot is the least recently used. */
  private readonly slots = new Map<string, Slot>();
  /** pin() / unpin() by identity; they win over a definition's `pinned`. */
  private readonly pinnedIds = new Map<string, boolean>();
  private readonly counters = {
    loads: 0,
    cacheHits: 0,
    cacheMisses: 0,
    uncached: 0,
    reuses: 0,
    unloads: 0,
    infers: 0,
    resultHits: 0,
    queueFull: 0,
    aborted: 0,
  };
  private disposed = false;
  /** The runtime's memory counters, read through the cache's Core (none with a loader only). */
  private readonly memory = new DeviceMemory(() => this.cache?.core);
  /** What handles call back into. */
  private readonly handleOwner: HandleOwner = {
    inferOn: (slot, inputs, options) => this.inferOn(slot, inputs, options),
    releaseSlot: (slot) => this.releaseSlot(slot),
  };

  constructor(options: ModelRegistryOptions) {
    super();
    this.settings = parseRegistryOptions(options);
    const { cache, loader, models } = options;
    if (cache !== undefined && !(cache instanceof ModelCache)) throw invalidArgument('a ModelCache', 'options.cache', cache);
    if (loader !== undefined && typeof loader !== 'function') throw invalidArgument('a function', 'options.loader', loader);
    this.cache = cache;
    if (loader) this.loader = loader;
    else if (cache) this.loader = (model, opts) => cache.compile(model, opts);
    else
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        'Expected options.cache or options.loader for new ModelRegistry() but received neither',
      );
    for (const [name, def] of Object.entries(models === undefined ? {} : models)) {
      this.define(name, def);
    }
  }

  /** Names a model so that get(name) loads it with these defaults. */
  define(name: string, definition: ModelDefinition): void {
    this.resolver.define(name, parseDefinition(name, definition));
  }

  /**
   * The one shared compiled model for (model, device, shapes, config), loaded on first use. Do
   * not dispose it. It is not held: it can be unloaded under a later call (use acquire()).
   */
  async get(pathOrName: string, options: RegistryGetOptions = {}): Promise<RuntimeCompiledModel> {
    const slot = await this.take(pathOrName, callOptions(options, GET_OPTIONS, 'registry.get()'));
    const { compiled } = slot.loaded as LoadedModel;
    this.releaseSlot(slot);
    return compiled;
  }

  /** A handle that holds the model until released: `await using m = await registry.acquire(name)`. */
  async acquire(pathOrName: string, options: RegistryGetOptions = {}): Promise<ModelHandle> {
    const slot = await this.take(pathOrName, callOptions(options, GET_OPTIONS, 'registry.acquire()'));
    return new SlotHandle(slot, this.handleOwner);
  }

  /** Runs fn with the model held: it is not disposed while fn runs, even if unloaded meanwhile. */
  async use<T>(pathOrName: string, options: RegistryGetOptions, fn: (compiled: RuntimeCompiledModel) => T | Promise<T>): Promise<T> {
    const handle = await this.acquire(pathOrName, options);
    try {
      return await fn(handle.compiled);
    } finally {
      handle.release();
    }
  }

  /** Runs one inference on the model's pool of infer requests (queued when all are busy). */
  async infer(pathOrName: string, inputs: InferInputs, options: RegistryInferOptions = {}): Promise<Record<string, Tensor>> {
    return (await this.inferOne(pathOrName, inputs, options, 'registry.infer()')).outputs;
  }

  /** infer() with what answered it (meta.resultCache: hit, miss, bypass or off) and its queue and inference times. */
  inferWithMeta(pathOrName: string, inputs: InferInputs, options: RegistryInferOptions = {}): Promise<InferResult> {
    return this.inferOne(pathOrName, inputs, options, 'registry.inferWithMeta()');
  }

  private async inferOne(pathOrName: string, inputs: InferInputs, options: RegistryInferOptions, caller: string): Promise<InferResult> {
    const o = callOptions<RegistryInferOptions>(options, INFER_OPTIONS, caller);
    checkInferOptions(o);
    const slot = await this.take(pathOrName, o);
    try {
      return await this.inferOn(slot, inputs, o);
    } finally {
      this.releaseSlot(slot);
    }
  }

  /** Runs every input through the pool (as many at once as it has requests); results in input order. */
  async inferBatch(
    pathOrName: string,
    inputsList: InferInputs[],
    options: RegistryBatchOptions = {},
  ): Promise<Array<Record<string, Tensor>>> {
    const o = callOptions<RegistryBatchOptions>(options, BATCH_OPTIONS, 'registry.inferBatch()');
    checkInferOptions(o);
    if (!Array.isArray(inputsList)) throw invalidArgument('an array of inputs', 'inputsList', inputsList);
    const onProgress = o.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidArgument('a function', 'options.onProgress', onProgress);
    const slot = await this.take(pathOrName, o);
    try {
      return await runBatch(
        this.poolOf(slot).size,
        inputsList,
        async (inputs) => (await this.inferOn(slot, inputs, o)).outputs,
        onProgress,
      );
    } finally {
      this.releaseSlot(slot);
    }
  }

  /** Keeps the model loaded whatever the limits and idle time (also before it is loaded). */
  pin(pathOrName: string, options: RegistryGetOptions = {}): void {
    this.setPinned(pathOrName, options, true);
  }

  /** Undoes pin() (or a definition's `pinned`); the idle clock starts if nothing holds it. */
  unpin(pathOrName: string, options: RegistryGetOptions = {}): void {
    this.setPinned(pathOrName, options, false);
  }

  /** Whether the model is loaded (or loading). Does not count as a use. */
  has(pathOrName: string, options: RegistryGetOptions = {}): boolean {
    return this.slots.has(this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, 'registry.has()')).id);
  }

  /**
   * Unloads one model (pinned or not) and frees its native memory before resolving: waits for
   * its load, its handles and its running inferences. Returns whether it was there.
   */
  async unload(pathOrName: string, options: RegistryGetOptions = {}): Promise<boolean> {
    const slot = this.slots.get(this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, 'registry.unload()')).id);
    if (!slot) return false;
    await slot.promise.catch(() => undefined);
    if (slot.removed) return false;
    await this.remove(slot, 'unload');
    return true;
  }

  /** Unloads every model (waiting as unload() does). */
  async clear(): Promise<void> {
    await this.clearAll('clear');
  }

  /** Unloads everything, waiting for held handles; later calls fail OVCACHE_DISPOSED. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.clearAll('dispose');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  get size(): number {
    return this.slots.size;
  }

  /** Loaded models, least recently used first. Does not count as a use. */
  list(): RegistryEntryInfo[] {
    return [...this.slots.values()].map(entryInfo);
  }

  /** Counters, memory and per-model queues. Does not count as a use. */
  stats(): RegistryStats {
    const slots = [...this.slots.values()];
    const bytes = slots.reduce((n, s) => n + s.bytes, 0);
    return { loaded: slots.length, bytes, rssBytes: process.memoryUsage.rss(), ...this.counters, models: slots.map(modelStats) };
  }

  // ---- what handles call ----

  private inferOn(slot: Slot, inputs: InferInputs, o: HandleInferOptions): Promise<InferResult> {
    return runInference({
      slot,
      pool: this.poolOf(slot),
      inputs,
      options: o,
      resultCache: this.settings.resultCache,
      counters: this.counters,
      emit: (event) => this.emit('infer', event),
    });
  }

  private releaseSlot(slot: Slot): void {
    if (slot.unhold()) this.startIdleClock(slot);
  }

  // ---- internals ----

  private poolOf(slot: Slot): InferPool {
    const { compiled } = slot.loaded as LoadedModel;
    slot.pool ??= new InferPool(
      compiled,
      this.settings.inferRequests ?? optimalInferRequests(compiled),
      this.settings.maxQueue,
      `${slot.label} on ${slot.device}`,
    );
    return slot.pool;
  }

  /** The slot for the model, loaded, with one more holder (the caller releases it). */
  private async take(pathOrName: string, o: RegistryGetOptions): Promise<Slot> {
    if (this.disposed) throw disposedError();
    o.signal?.throwIfAborted();
    const started = performance.now();
    const resolved = this.resolver.resolve(pathOrName, o);
    const keepAliveMs = o.keepAlive === undefined ? undefined : parseKeepAlive(o.keepAlive, 'options.keepAlive');
    let slot = this.slots.get(resolved.id);
    if (slot?.loaded && this.settings.checkFiles && started - slot.checkedAt >= this.settings.checkFilesIntervalMs) {
      slot.checkedAt = started; // one check at a time per interval
      const { stamp } = await fileStamp(resolved.model);
      if (this.slots.get(resolved.id) === slot && stamp !== slot.stamp) {
        log('%s changed on disk; reloading', resolved.model);
        void this.remove(slot, 'changed');
      }
      slot = this.slots.get(resolved.id);
      if (this.disposed) throw disposedError();
    }
    // A load every waiter gave up on is winding down (its compile stops at its next wait, or
    // finishes): take what comes of it, or load afresh once it has failed.
    while (slot && slot.loaded === undefined && slot.loadAbort?.signal.aborted) {
      await abortable(slot.promise.then(noop, noop), o.signal);
      if (this.disposed) throw disposedError();
      slot = this.slots.get(resolved.id);
    }
    const reuse = slot !== undefined;
    if (slot) {
      this.slots.delete(resolved.id);
      this.slots.set(resolved.id, slot);
    } else {
      slot = this.startLoad(resolved, started);
    }
    slot.hold();
    if (keepAliveMs !== undefined) slot.keepAliveMs = keepAliveMs;
    if (slot.loaded === undefined) {
      slot.loadAbort?.join(o.signal);
      try {
        await abortable(slot.promise, o.signal);
      } catch (error) {
        this.releaseSlot(slot);
        throw error;
      }
      if (!reuse) return slot;
    }
    this.counters.reuses++;
    log('already %s %s on %s', slot.loaded ? 'loaded' : 'loading', slot.label, slot.device);
    const { key } = slot.loaded as LoadedModel;
    this.emit('load', {
      id: slot.id,
      model: slot.model,
      name: slot.name,
      device: slot.device,
      outcome: 'reuse',
      key,
      ms: performance.now() - started,
      bytes: slot.bytes,
    });
    return slot;
  }

  private startLoad(resolved: Resolved, started: number): Slot {
    const { id, model, name, opts, definition } = resolved;
    const keepAlive = definition?.keepAlive === undefined ? this.settings.keepAliveMs : parseKeepAlive(definition.keepAlive, 'keepAlive');
    const slot = new Slot({ id, model, name, device: opts.device }, keepAlive);
    const loadAbort = new SharedAbort();
    slot.loadAbort = loadAbort;
    slot.pinned = this.pinnedIds.get(id) ?? definition?.pinned ?? false;
    log('loading %s on %s...', slot.label, opts.device);
    const load = async () => {
      const files = await fileStamp(model);
      slot.stamp = files.stamp;
      slot.fileBytes = files.bytes;
      slot.checkedAt = performance.now();
      const measure = this.memory.begin(opts.device);
      try {
        // The compile's waits end once every caller waiting for this load has aborted.
        return await this.loader(model, { ...opts, signal: loadAbort.signal });
      } finally {
        slot.runtimeBytes = measure.end();
      }
    };
    slot.promise = load().then(
      (loaded) => {
        loadAbort.settle();
        return this.loaded(slot, loaded, started);
      },
      (error: unknown) => {
        loadAbort.settle();
        if (this.slots.get(id) === slot) this.slots.delete(id);
        slot.removed = true;
        log('loading %s on %s failed: %s', slot.label, opts.device, (error as Error).message);
        throw error;
      },
    );
    this.slots.set(id, slot);
    return slot;
  }

  private loaded(slot: Slot, loaded: LoadedModel, started: number): LoadedModel {
    slot.loaded = loaded;
    const estimate = this.settings.estimate;
    const { fileBytes, runtimeBytes } = slot;
    slot.bytes = estimate
      ? estimate({ model: slot.model, fileBytes, runtimeBytes, compiled: loaded.compiled })
      : (runtimeBytes ?? fileBytes);
    slot.bytesSource = estimate ? 'estimate' : runtimeBytes !== undefined ? 'runtime' : 'files';
    const outcome = !loaded.cached ? 'uncached' : loaded.hit ? 'hit' : 'miss';
    this.counters.loads++;
    if (outcome === 'hit') this.counters.cacheHits++;
    else if (outcome === 'miss') this.counters.cacheMisses++;
    else this.counters.uncached++;
    const ms = performance.now() - started;
    const how = outcome === 'hit' ? 'cache hit' : outcome === 'miss' ? 'cache miss, compiled' : 'compiled without cache';
    log('loaded %s on %s in %s ms (%s)', slot.label, slot.device, ms.toFixed(1), how);
    const { id, model, name, device } = slot;
    this.emit('load', { id, model, name, device, outcome, key: loaded.key, ms, bytes: slot.bytes });
    if (slot.removed) void slot.dispose();
    else {
      // The cache must not evict the entry of a model this registry keeps loaded.
      if (this.cache && loaded.cached && loaded.key) slot.release = this.cache.hold(loaded.key);
      this.enforceLimits(slot);
      if (slot.holders === 0) this.startIdleClock(slot);
    }
    return loaded;
  }

  private setPinned(pathOrName: string, options: RegistryGetOptions, pinned: boolean): void {
    const { id } = this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, pinned ? 'registry.pin()' : 'registry.unpin()'));
    this.pinnedIds.set(id, pinned);
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.pinned = pinned;
    if (pinned) slot.idle.stop();
    else {
      if (slot.holders === 0) this.startIdleClock(slot);
      this.enforceLimits(undefined);
    }
  }

  private startIdleClock(slot: Slot): void {
    if (slot.pinned || slot.removed || slot.loaded === undefined) return;
    slot.idle.start(slot.keepAliveMs, () => {
      if (!slot.removed && !slot.pinned && slot.holders === 0) void this.remove(slot, 'idle');
    });
  }

  private async clearAll(reason: 'clear' | 'dispose'): Promise<void> {
    const slots = [...this.slots.values()];
    await Promise.all(slots.map((s) => s.promise.catch(() => undefined)));
    await Promise.all(slots.map((s) => this.remove(s, reason)));
  }

  /** Unloads least recently used models (not pinned) until within maxModels and maxBytes; never `keep`. */
  private enforceLimits(keep: Slot | undefined): void {
    for (;;) {
      const loaded = [...this.slots.values()].filter((s) => s.loaded !== undefined);
      const bytes = loaded.reduce((n, s) => n + s.bytes, 0);
      const overCount = loaded.length > this.settings.maxModels;
      const overBytes = bytes > this.settings.maxBytes;
      if (!overCount && !overBytes) return;
      const victim = loaded.find((s) => s !== keep && !s.pinned);
      if (!victim) return;
      void this.remove(victim, overCount ? 'lru' : 'memory');
    }
  }

  /** Takes the slot out of the registry; resolves once its native objects are freed. */
  private remove(slot: Slot, reason: UnloadReason): Promise<void> {
    if (this.slots.get(slot.id) === slot) this.slots.delete(slot.id);
    if (slot.removed) return slot.gone;
    slot.removed = true;
    slot.idle.stop();
    slot.release?.();
    slot.release = undefined;
    this.counters.unloads++;
    log('unloaded %s on %s (%s)', slot.label, slot.device, reason);
    const gone = slot.dispose();
    void gone.then(() => this.memory.touch(slot.device));
    this.emit('unload', { id: slot.id, model: slot.model, name: slot.name, device: slot.device, reason });
    return gone;
  }
}
