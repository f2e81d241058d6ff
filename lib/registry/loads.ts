// The registry's load/unload bookkeeping: which models are loaded (or loading), in recency
// order; one load per model at a time; unloads by limits, idle time, change on disk or call.
// Invariants: a slot is in `slots` until removed; a removed slot is disposed once, when no
// handle holds it and no inference runs on it; a pinned slot is never unloaded by limits or
// idle time; the cache holds the entry of every loaded cached model.
import { performance } from 'node:perf_hooks';
import { logger } from '../log';
import type { LocalModelCache } from '../cache/model-cache';
import { SharedAbort } from '../cache/abort/shared-abort';
import { abortable } from './abort';
import type { DeviceMemory } from './device-memory';
import type { RegistryLoadEvent, RegistryStats, RegistryUnloadEvent, UnloadReason } from './events';
import { fileStamp } from './file-stamp';
import { parseKeepAlive } from './keep-alive';
import { disposedError, type LoadedModel, type RegistryGetOptions, type RegistryLoader, type RegistrySettings } from './options';
import type { Resolved } from './resolve';
import { Slot } from './slot';

const log = logger('registry');
const noop = (): void => undefined;

/** The counters this bookkeeping keeps (part of RegistryStats). */
export type LoadCounters = Pick<RegistryStats, 'loads' | 'cacheHits' | 'cacheMisses' | 'uncached' | 'reuses' | 'unloads'>;

export interface LoadsDeps {
  loader: RegistryLoader;
  /** The cache whose entries the loaded models came from: told which keys are held. */
  cache: LocalModelCache | undefined;
  settings: RegistrySettings;
  memory: DeviceMemory;
  counters: LoadCounters;
  isDisposed: () => boolean;
  onLoad: (event: RegistryLoadEvent) => void;
  onUnload: (event: RegistryUnloadEvent) => void;
}

export class Loads {
  /** Insertion order is recency: the first slot is the least recently used. */
  readonly slots = new Map<string, Slot>();
  /** pin() / unpin() by identity; they win over a definition's `pinned`. */
  private readonly pinnedIds = new Map<string, boolean>();

  constructor(private readonly deps: LoadsDeps) {}

  /** The slot for the model, loaded, with one more holder (the caller releases it). */
  async take(resolved: Resolved, o: RegistryGetOptions, keepAliveMs: number | undefined, started: number): Promise<Slot> {
    const { settings, counters, isDisposed } = this.deps;
    let slot = this.slots.get(resolved.id);
    if (slot?.loaded && settings.checkFiles && started - slot.checkedAt >= settings.checkFilesIntervalMs) {
      slot.checkedAt = started; // one check at a time per interval
      const { stamp } = await fileStamp(resolved.model);
      if (this.slots.get(resolved.id) === slot && stamp !== slot.stamp) {
        log('%s changed on disk; reloading', resolved.model);
        void this.remove(slot, 'changed');
      }
      slot = this.slots.get(resolved.id);
      if (isDisposed()) throw disposedError();
    }
    // A load every waiter gave up on is winding down (its compile stops at its next wait, or
    // finishes): take what comes of it, or load afresh once it has failed.
    while (slot && slot.loaded === undefined && slot.loadAbort?.signal.aborted) {
      await abortable(slot.promise.then(noop, noop), o.signal);
      if (isDisposed()) throw disposedError();
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
        this.release(slot);
        throw error;
      }
      if (!reuse) return slot;
    }
    counters.reuses++;
    log('already %s %s on %s', slot.loaded ? 'loaded' : 'loading', slot.label, slot.device);
    const { key } = slot.loaded as LoadedModel;
    this.deps.onLoad({
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

  /** One holder fewer; the idle clock starts when it was the last. */
  release(slot: Slot): void {
    if (slot.unhold()) this.startIdleClock(slot);
  }

  setPinned(id: string, pinned: boolean): void {
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

  /** Unloads one model once its load settled; whether it was there. */
  async unload(id: string): Promise<boolean> {
    const slot = this.slots.get(id);
    if (!slot) return false;
    await slot.promise.catch(() => undefined);
    if (slot.removed) return false;
    await this.remove(slot, 'unload');
    return true;
  }

  async clearAll(reason: 'clear' | 'dispose'): Promise<void> {
    const slots = [...this.slots.values()];
    await Promise.all(slots.map((s) => s.promise.catch(() => undefined)));
    await Promise.all(slots.map((s) => this.remove(s, reason)));
  }

  private startLoad(resolved: Resolved, started: number): Slot {
    const { id, model, name, opts, definition } = resolved;
    const keepAlive =
      definition?.keepAlive === undefined ? this.deps.settings.keepAliveMs : parseKeepAlive(definition.keepAlive, 'keepAlive');
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
      const measure = this.deps.memory.begin(opts.device);
      try {
        // The compile's waits end once every caller waiting for this load has aborted.
        return await this.deps.loader(model, { ...opts, signal: loadAbort.signal });
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
    const { settings, counters, cache } = this.deps;
    slot.loaded = loaded;
    const estimate = settings.estimate;
    const { fileBytes, runtimeBytes } = slot;
    slot.bytes = estimate
      ? estimate({ model: slot.model, fileBytes, runtimeBytes, compiled: loaded.compiled })
      : (runtimeBytes ?? fileBytes);
    slot.bytesSource = estimate ? 'estimate' : runtimeBytes !== undefined ? 'runtime' : 'files';
    const outcome = !loaded.cached ? 'uncached' : loaded.hit ? 'hit' : 'miss';
    counters.loads++;
    if (outcome === 'hit') counters.cacheHits++;
    else if (outcome === 'miss') counters.cacheMisses++;
    else counters.uncached++;
    const ms = performance.now() - started;
    const how = outcome === 'hit' ? 'cache hit' : outcome === 'miss' ? 'cache miss, compiled' : 'compiled without cache';
    log('loaded %s on %s in %s ms (%s)', slot.label, slot.device, ms.toFixed(1), how);
    const { id, model, name, device } = slot;
    this.deps.onLoad({ id, model, name, device, outcome, key: loaded.key, ms, bytes: slot.bytes });
    if (slot.removed) void slot.dispose();
    else {
      // The cache must not evict the entry of a model this registry keeps loaded.
      if (cache && loaded.cached && loaded.key) slot.release = cache.hold(loaded.key);
      this.enforceLimits(slot);
      if (slot.holders === 0) this.startIdleClock(slot);
    }
    return loaded;
  }

  private startIdleClock(slot: Slot): void {
    if (slot.pinned || slot.removed || slot.loaded === undefined) return;
    slot.idle.start(slot.keepAliveMs, () => {
      if (!slot.removed && !slot.pinned && slot.holders === 0) void this.remove(slot, 'idle');
    });
  }

  /** Unloads least recently used models (not pinned) until within maxModels and maxBytes; never `keep`. */
  private enforceLimits(keep: Slot | undefined): void {
    const { settings } = this.deps;
    for (;;) {
      const loaded = [...this.slots.values()].filter((s) => s.loaded !== undefined);
      const bytes = loaded.reduce((n, s) => n + s.bytes, 0);
      const overCount = loaded.length > settings.maxModels;
      const overBytes = bytes > settings.maxBytes;
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
    this.deps.counters.unloads++;
    log('unloaded %s on %s (%s)', slot.label, slot.device, reason);
    const gone = slot.dispose();
    void gone.then(() => this.deps.memory.touch(slot.device));
    this.deps.onUnload({ id: slot.id, model: slot.model, name: slot.name, device: slot.device, reason });
    return gone;
  }
}
