// ModelRegistry: compiled models kept in memory and shared between requests. Load once,
// reuse, never load the same model twice at once; unload the least recently used past
// maxModels (or a memory estimate). Each model is identified by (path, device, shapes, config).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OvcacheError } from '../errors';
import { fileIdentity, identityText } from '../fs/file-identity';
import { modelFilesOf } from '../fs/model-files';
import { logger } from '../log';
import type { CompiledModel } from '../openvino/compiled-model';
import { formatPartialShape, parseShapeInput, type ShapeInput } from '../openvino/shapes';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import type { CompileConfig } from '../openvino/properties';
import { canonicalConfig } from '../cache/config-canon';
import { canonicalJson } from '../cache/key';
import { ModelCache } from '../cache/model-cache';
import type { CompileOptions } from '../cache/options';

const log = logger('registry');

export interface RegistryGetOptions {
  device?: string;
  shapes?: Record<string, ShapeInput>;
  config?: CompileConfig;
  /** false: load without the disk cache (still shared in memory). */
  cache?: boolean;
}

/** A named model: get('classifier') loads `model` with these defaults. */
export interface ModelDefinition extends RegistryGetOptions {
  model: string;
}

export interface LoadedModel {
  compiled: CompiledModel;
  /** Loaded from the disk cache. */
  hit: boolean;
  /** The disk cache was used (false: compiled without it). */
  cached: boolean;
  key: string | null;
}

/** How the registry loads a model; defaults to cache.compile(). Tests inject their own. */
export type RegistryLoader = (model: string, options: CompileOptions) => Promise<LoadedModel>;

export interface ModelRegistryOptions {
  /** The cache loads go through. Give this or `loader`. */
  cache?: ModelCache;
  loader?: RegistryLoader;
  /** Most models kept loaded; the least recently used beyond it is unloaded. Default: no limit. */
  maxModels?: number;
  /** Memory budget in bytes for the estimate below. Default: no limit. */
  maxBytes?: number;
  /** Memory estimate of a loaded model. Default: the size of its model files (.xml + .bin). */
  estimateBytes?: (info: { model: string; fileBytes: number; compiled: CompiledModel }) => number;
  /** Named models for get(name). */
  models?: Record<string, ModelDefinition>;
  /** Reload when the model files change on disk (one stat per file per get). Default true. */
  checkFiles?: boolean;
}

export type LoadOutcome = 'miss' | 'hit' | 'uncached' | 'reuse';

export interface RegistryLoadEvent {
  /** Registry identity of the model (canonical JSON of path, device, shapes, config). */
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  /** miss: compiled (and cached); hit: loaded from the disk cache; uncached: compiled without it; reuse: already loaded or loading. */
  outcome: LoadOutcome;
  key: string | null;
  ms: number;
  bytes: number;
}

export interface RegistryUnloadEvent {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  reason: 'lru' | 'memory' | 'unload' | 'clear' | 'dispose' | 'changed';
}

export interface RegistryEvents {
  load: [RegistryLoadEvent];
  unload: [RegistryUnloadEvent];
}

export interface RegistryStats {
  loaded: number;
  bytes: number;
  loads: number;
  cacheHits: number;
  cacheMisses: number;
  uncached: number;
  reuses: number;
  unloads: number;
}

export interface RegistryEntryInfo {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  key: string | null;
  bytes: number;
  pins: number;
  loading: boolean;
}

interface Slot {
  id: string;
  model: string;
  name: string | undefined;
  device: string;
  stamp: string;
  fileBytes: number;
  promise: Promise<LoadedModel>;
  loaded: LoadedModel | undefined;
  bytes: number;
  pins: number;
  removed: boolean;
  /** Ends the cache's hold on the entry (loaded models' entries are never evicted). */
  release: (() => void) | undefined;
}

const OPTIONS = ['cache', 'loader', 'maxModels', 'maxBytes', 'estimateBytes', 'models', 'checkFiles'] as const;
const GET_OPTIONS = ['device', 'shapes', 'config', 'cache'] as const;

export class ModelRegistry extends EventEmitter<RegistryEvents> {
  private readonly loader: RegistryLoader;
  /** The cache whose entries the loaded models came from: told which keys are held. */
  private readonly cache: ModelCache | undefined;
  private readonly maxModels: number;
  private readonly maxBytes: number;
  private readonly estimate: ModelRegistryOptions['estimateBytes'];
  private readonly checkFiles: boolean;
  private readonly definitions = new Map<string, ModelDefinition>();
  /** Insertion order is recency: the first slot is the least recently used. */
  private readonly slots = new Map<string, Slot>();
  private counters = { loads: 0, cacheHits: 0, cacheMisses: 0, uncached: 0, reuses: 0, unloads: 0 };
  private disposed = false;

  constructor(options: ModelRegistryOptions) {
    super();
    const o = expectPlainObject(options, 'options') as ModelRegistryOptions;
    rejectUnknownOptions(o as Record<string, unknown>, OPTIONS, 'new ModelRegistry()');
    if (o.cache !== undefined && !(o.cache instanceof ModelCache)) throw invalidArgument('a ModelCache', 'options.cache', o.cache);
    if (o.loader !== undefined && typeof o.loader !== 'function') throw invalidArgument('a function', 'options.loader', o.loader);
    const cache = o.cache;
    this.cache = cache;
    if (o.loader) this.loader = o.loader;
    else if (cache) this.loader = (model, opts) => cache.compile(model, opts);
    else
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        'Expected options.cache or options.loader for new ModelRegistry() but received neither',
      );
    this.maxModels = o.maxModels === undefined ? Infinity : expectIntegerInRange(o.maxModels, 'options.maxModels', 1);
    this.maxBytes = o.maxBytes === undefined ? Infinity : expectIntegerInRange(o.maxBytes, 'options.maxBytes', 1);
    if (o.estimateBytes !== undefined && typeof o.estimateBytes !== 'function')
      throw invalidArgument('a function', 'options.estimateBytes', o.estimateBytes);
    this.estimate = o.estimateBytes;
    if (o.checkFiles !== undefined && typeof o.checkFiles !== 'boolean')
      throw invalidArgument('a boolean', 'options.checkFiles', o.checkFiles);
    this.checkFiles = o.checkFiles ?? true;
    for (const [name, def] of Object.entries(o.models === undefined ? {} : expectPlainObject(o.models, 'options.models'))) {
      this.define(name, def as ModelDefinition);
    }
  }

  /** Names a model so that get(name) loads it with these defaults. */
  define(name: string, definition: ModelDefinition): void {
    if (typeof name !== 'string' || name === '') throw invalidArgument('a non-empty name', 'name', name);
    const def = expectPlainObject(definition, `models.${name}`) as unknown as ModelDefinition;
    rejectUnknownOptions(def as unknown as Record<string, unknown>, ['model', ...GET_OPTIONS], `model definition "${name}"`);
    if (typeof def.model !== 'string' || def.model === '') throw invalidArgument('a model path', `models.${name}.model`, def.model);
    this.definitions.set(name, { ...def, model: path.resolve(def.model) });
  }

  /** The one shared compiled model for (model, device, shapes, config), loaded on first use. Do not dispose it: unload() does. */
  async get(pathOrName: string, options: RegistryGetOptions = {}): Promise<CompiledModel> {
    const slot = await this.acquire(pathOrName, options);
    return (slot.loaded as LoadedModel).compiled;
  }

  /** Runs fn with the model pinned: it is not disposed while fn runs, even if unloaded meanwhile. */
  async use<T>(pathOrName: string, options: RegistryGetOptions, fn: (compiled: CompiledModel) => T | Promise<T>): Promise<T> {
    const slot = await this.acquire(pathOrName, options);
    slot.pins++;
    try {
      return await fn((slot.loaded as LoadedModel).compiled);
    } finally {
      slot.pins--;
      if (slot.removed && slot.pins === 0) disposeQuietly(slot);
    }
  }

  /** Whether the model is loaded (or loading). */
  has(pathOrName: string, options: RegistryGetOptions = {}): boolean {
    return this.slots.has(this.resolve(pathOrName, options).id);
  }

  /** Unloads one model (after its load finishes, if loading). Returns whether it was there. */
  async unload(pathOrName: string, options: RegistryGetOptions = {}): Promise<boolean> {
    const slot = this.slots.get(this.resolve(pathOrName, options).id);
    if (!slot) return false;
    await slot.promise.catch(() => undefined);
    if (slot.removed) return false;
    this.remove(slot, 'unload');
    return true;
  }

  /** Unloads every model. */
  async clear(): Promise<void> {
    await this.clearAll('clear');
  }

  /** Unloads everything; later calls to get() fail. */
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

  /** Loaded models, least recently used first. */
  list(): RegistryEntryInfo[] {
    return [...this.slots.values()].map((s) => ({
      id: s.id,
      model: s.model,
      name: s.name,
      device: s.device,
      key: s.loaded?.key ?? null,
      bytes: s.bytes,
      pins: s.pins,
      loading: s.loaded === undefined,
    }));
  }

  stats(): RegistryStats {
    let bytes = 0;
    for (const s of this.slots.values()) bytes += s.bytes;
    return { loaded: this.slots.size, bytes, ...this.counters };
  }

  // ---- internals ----

  private async clearAll(reason: 'clear' | 'dispose'): Promise<void> {
    const slots = [...this.slots.values()];
    await Promise.all(slots.map((s) => s.promise.catch(() => undefined)));
    for (const s of slots) if (!s.removed) this.remove(s, reason);
  }

  private resolve(
    pathOrName: string,
    options: RegistryGetOptions,
  ): { id: string; model: string; name: string | undefined; opts: CompileOptions } {
    if (typeof pathOrName !== 'string' || pathOrName === '')
      throw invalidArgument('a model path or a defined name', 'pathOrName', pathOrName);
    const o = expectPlainObject(options, 'options') as RegistryGetOptions;
    rejectUnknownOptions(o as Record<string, unknown>, GET_OPTIONS, 'registry.get()');
    const def = this.definitions.get(pathOrName);
    const name = def ? pathOrName : undefined;
    const model = def ? def.model : path.resolve(pathOrName);
    const device = o.device ?? def?.device;
    if (typeof device !== 'string' || device === '') throw invalidArgument('a device name such as "CPU"', 'options.device', device);
    const shapes = o.shapes ?? def?.shapes;
    const config = def?.config || o.config ? { ...def?.config, ...o.config } : undefined;
    const cache = o.cache ?? def?.cache;
    const canonicalShapes: Record<string, string> = {};
    for (const [input, shape] of Object.entries(shapes ?? {}))
      canonicalShapes[input] = formatPartialShape(parseShapeInput(shape, `shapes.${input}`));
    const id = canonicalJson({ model, device, shapes: canonicalShapes, config: canonicalConfig(config), cache: cache ?? true });
    const opts: CompileOptions = { device };
    if (shapes) opts.shapes = shapes;
    if (config) opts.config = config;
    if (cache !== undefined) opts.cache = cache;
    return { id, model, name, opts };
  }

  private async acquire(pathOrName: string, options: RegistryGetOptions): Promise<Slot> {
    if (this.disposed) throw new OvcacheError('OVCACHE_DISPOSED', 'This ModelRegistry has been disposed');
    const started = performance.now();
    const { id, model, name, opts } = this.resolve(pathOrName, options);
    const files = this.checkFiles ? await fileStamp(model) : { stamp: '', bytes: 0 };
    let slot = this.slots.get(id);
    if (slot && slot.loaded && slot.stamp !== files.stamp) {
      log('%s changed on disk; reloading', model);
      this.remove(slot, 'changed');
      slot = undefined;
    }
    const label = name ?? path.basename(model);
    if (slot) {
      this.slots.delete(id);
      this.slots.set(id, slot);
      const wasLoading = slot.loaded === undefined;
      const loaded = await slot.promise;
      this.counters.reuses++;
      log('already %s %s on %s', wasLoading ? 'loading' : 'loaded', label, opts.device);
      this.emit('load', {
        id,
        model,
        name,
        device: opts.device,
        outcome: 'reuse',
        key: loaded.key,
        ms: performance.now() - started,
        bytes: slot.bytes,
      });
      return slot;
    }
    log('loading %s on %s...', label, opts.device);
    const fresh: Slot = {
      id,
      model,
      name,
      device: opts.device,
      stamp: files.stamp,
      fileBytes: files.bytes,
      promise: undefined as unknown as Promise<LoadedModel>,
      loaded: undefined,
      bytes: 0,
      pins: 0,
      removed: false,
      release: undefined,
    };
    fresh.promise = this.loader(model, opts).then(
      (loaded) => {
        fresh.loaded = loaded;
        fresh.bytes = this.estimate ? this.estimate({ model, fileBytes: fresh.fileBytes, compiled: loaded.compiled }) : fresh.fileBytes;
        const outcome: LoadOutcome = !loaded.cached ? 'uncached' : loaded.hit ? 'hit' : 'miss';
        this.counters.loads++;
        if (outcome === 'hit') this.counters.cacheHits++;
        else if (outcome === 'miss') this.counters.cacheMisses++;
        else this.counters.uncached++;
        const ms = performance.now() - started;
        log(
          'loaded %s on %s in %s ms (%s)',
          label,
          opts.device,
          ms.toFixed(1),
          outcome === 'hit' ? 'cache hit' : outcome === 'miss' ? 'cache miss, compiled' : 'compiled without cache',
        );
        this.emit('load', { id, model, name, device: opts.device, outcome, key: loaded.key, ms, bytes: fresh.bytes });
        if (fresh.removed) disposeQuietly(fresh);
        else {
          // The cache must not evict the entry of a model this registry keeps loaded.
          if (this.cache && loaded.cached && loaded.key) fresh.release = this.cache.hold(loaded.key);
          this.enforceLimits(fresh);
        }
        return loaded;
      },
      (error: unknown) => {
        if (this.slots.get(id) === fresh) this.slots.delete(id);
        fresh.removed = true;
        log('loading %s on %s failed: %s', label, opts.device, (error as Error).message);
        throw error;
      },
    );
    this.slots.set(id, fresh);
    await fresh.promise;
    return fresh;
  }

  /** Unloads least recently used models until within maxModels and maxBytes; never the one just loaded. */
  private enforceLimits(keep: Slot): void {
    for (;;) {
      const loaded = [...this.slots.values()].filter((s) => s.loaded !== undefined);
      const bytes = loaded.reduce((n, s) => n + s.bytes, 0);
      const overCount = loaded.length > this.maxModels;
      const overBytes = bytes > this.maxBytes;
      if (!overCount && !overBytes) return;
      const victim = loaded.find((s) => s !== keep);
      if (!victim) return;
      this.remove(victim, overCount ? 'lru' : 'memory');
    }
  }

  private remove(slot: Slot, reason: RegistryUnloadEvent['reason']): void {
    if (this.slots.get(slot.id) === slot) this.slots.delete(slot.id);
    if (slot.removed) return;
    slot.removed = true;
    slot.release?.();
    slot.release = undefined;
    this.counters.unloads++;
    log('unloaded %s on %s (%s)', slot.name ?? path.basename(slot.model), slot.device, reason);
    if (slot.pins === 0) disposeQuietly(slot);
    this.emit('unload', { id: slot.id, model: slot.model, name: slot.name, device: slot.device, reason });
  }
}

function disposeQuietly(slot: Slot): void {
  try {
    if (slot.loaded && !slot.loaded.compiled.disposed) slot.loaded.compiled.dispose();
  } catch (error) {
    log('disposing %s: %s', slot.model, (error as Error).message);
  }
}

/** Identity of the model files as they are now (changes when a file is replaced or rewritten). */
async function fileStamp(model: string): Promise<{ stamp: string; bytes: number }> {
  const ids = await Promise.all(modelFilesOf(model).map(fileIdentity));
  const bytes = ids.reduce((n, id) => n + (id ? Number(id.size) : 0), 0);
  return { stamp: ids.map((id) => (id ? identityText(id) : '-')).join('|'), bytes };
}
