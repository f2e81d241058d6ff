// ModelRegistry: compiled models kept in memory and shared between requests. Load once,
// reuse, never load the same model twice at once; unload the least recently used past
// maxModels or maxBytes, and models idle past their keep-alive (pinned ones: never); run
// infer() on a pool of infer requests per model behind a bounded queue. A model is disposed
// only when no handle holds it and no inference runs on it (the bookkeeping: loads.ts).
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import { LocalModelCache } from '../cache/model-cache';
import type { RuntimeCompiledModel } from '../runtime/runtime-port';
import type { Tensor } from '../openvino/tensor';
import { invalidArgument } from '../openvino/validate';
import type { RegistryEntryInfo, RegistryEvents, RegistryStats } from './events';
import { SlotHandle, type HandleInferOptions, type HandleOwner, type ModelHandle } from './handle';
import { InferPool, optimalInferRequests, type InferInputs } from './infer-pool';
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
  type RegistrySettings,
} from './options';
import { Resolver } from './resolve';
import { runBatch, runInference, type InferResult } from './run';
import { entryInfo, modelStats } from './report';
import { Loads } from './loads';
import type { Slot } from './slot';

export class ModelRegistry extends EventEmitter<RegistryEvents> {
  private readonly settings: RegistrySettings;
  private readonly resolver = new Resolver();
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
  /** Which models are loaded, and their loads and unloads. */
  private readonly loads: Loads;
  /** What handles call back into. */
  private readonly handleOwner: HandleOwner = {
    inferOn: (slot, inputs, options) => this.inferOn(slot, inputs, options),
    releaseSlot: (slot) => this.releaseSlot(slot),
  };

  constructor(options: ModelRegistryOptions) {
    super();
    this.settings = parseRegistryOptions(options);
    const { cache, loader, models } = options;
    if (cache !== undefined && !(cache instanceof LocalModelCache)) throw invalidArgument('a ModelCache', 'options.cache', cache);
    if (loader !== undefined && typeof loader !== 'function') throw invalidArgument('a function', 'options.loader', loader);
    if (!loader && !cache)
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        'Expected options.cache or options.loader for new ModelRegistry() but received neither',
      );
    this.loads = new Loads({
      loader: loader ?? ((model, opts) => (cache as LocalModelCache).compile(model, opts)),
      cache,
      settings: this.settings,
      // The runtime's memory counters, read through the cache's Core (none with a loader only).
      memory: new DeviceMemory(() => cache?.core),
      counters: this.counters,
      isDisposed: () => this.disposed,
      onLoad: (event) => this.emit('load', event),
      onUnload: (event) => this.emit('unload', event),
    });
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
    return this.loads.slots.has(this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, 'registry.has()')).id);
  }

  /**
   * Unloads one model (pinned or not) and frees its native memory before resolving: waits for
   * its load, its handles and its running inferences. Returns whether it was there.
   */
  async unload(pathOrName: string, options: RegistryGetOptions = {}): Promise<boolean> {
    return this.loads.unload(this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, 'registry.unload()')).id);
  }

  /** Unloads every model (waiting as unload() does). */
  async clear(): Promise<void> {
    await this.loads.clearAll('clear');
  }

  /** Unloads everything, waiting for held handles; later calls fail OVCACHE_DISPOSED. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.loads.clearAll('dispose');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  get size(): number {
    return this.loads.slots.size;
  }

  /** Loaded models, least recently used first. Does not count as a use. */
  list(): RegistryEntryInfo[] {
    return [...this.loads.slots.values()].map(entryInfo);
  }

  /** Counters, memory and per-model queues. Does not count as a use. */
  stats(): RegistryStats {
    const slots = [...this.loads.slots.values()];
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
    this.loads.release(slot);
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
    return this.loads.take(resolved, o, keepAliveMs, started);
  }

  private setPinned(pathOrName: string, options: RegistryGetOptions, pinned: boolean): void {
    const { id } = this.resolver.resolve(pathOrName, callOptions(options, GET_OPTIONS, pinned ? 'registry.pin()' : 'registry.unpin()'));
    this.loads.setPinned(id, pinned);
  }
}
