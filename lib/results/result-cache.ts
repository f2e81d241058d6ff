// ResultCache: answers a repeated request from stored results instead of running the model.
// Tiers: the embedded store (LMDB in the results folder) and, optionally, Redis behind it; a
// local miss asks Redis and fills the local store from it. Redis trouble never fails a
// request: lookups and writes go on local-only until the client reconnects.
import { EventEmitter } from 'node:events';
import { AbortableFlights } from '../cache/abort/flights';
import { raceAbort } from '../cache/abort/signal';
import { isOvcacheError, OvcacheError } from '../errors';
import { logger } from '../log';
import { parseDuration } from '../format/units';
import type { GetOrComputeResult, ResultCacheEvents, ResultCacheStats, ResultEvictEvent, ResultKeyExplanation, ResultTier } from './events';
import { describeResultKeyParts, expectResultKey, keyOfParts, resultKeyParts, type ResultKeyParts, type ResultParts } from './key';
import { LocalStore, type PutResult, type StoreCounters } from './local-store';
import {
  resolveResultOptions,
  type GetOrComputeOptions,
  type ResolvedResultOptions,
  type ResultCacheInternals,
  type ResultCacheOptions,
  type ResultSetOptions,
} from './options';
import { RedisTier } from './redis-tier';
import { Tally } from './tally';
import { checkValue, decodeFrame, encodeFrame, filesUnchanged, type EntryFacts, type ResultValue } from './value';

const log = logger('results');

/** keyFor remembers this many keys' parts, so explain() and set() can name them. */
const REMEMBERED_PARTS = 1000;
/** Hits are written to the store in batches (one transaction) at most this long after they happen. */
const TOUCH_BATCH_MS = 50;

type Found = { hit: true; value: ResultValue; facts: EntryFacts; tier: ResultTier } | { hit: false; expired: boolean; tier: ResultTier };

export class ResultCache extends EventEmitter<ResultCacheEvents> {
  /** The results folder, or null when there is no embedded store. */
  readonly dir: string | null;
  /** False when OVCACHE_RESULTS_DISABLE was set or `cacheable: false` was given. */
  readonly enabled: boolean;
  private readonly options: ResolvedResultOptions;
  private readonly store: LocalStore | null;
  private readonly redis: RedisTier | null;
  private readonly flights = new AbortableFlights<string, { value: ResultValue; outcome: 'hit' | 'miss' }>();
  private readonly parts = new Map<string, ResultKeyParts>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly tally = new Tally(TOUCH_BATCH_MS, () => this.background(this.flushTouches()));
  /** The store's counters as close() left them: what stats() says afterwards. */
  private lastLifetime: StoreCounters | null = null;
  private closed = false;
  private closing: Promise<void> | undefined;

  private readonly now: () => number;

  constructor(options: ResultCacheOptions = {}, internals: ResultCacheInternals = {}) {
    super();
    this.options = resolveResultOptions(options);
    this.now = internals.now ?? Date.now;
    this.dir = this.options.dir;
    this.enabled = !this.options.disabledByEnv && this.options.cacheable !== false;
    this.store =
      this.dir === null
        ? null
        : new LocalStore(this.dir, {
            shared: this.options.shared,
            writes: 'worker',
            ...(internals.blobCheck ? { blobCheck: internals.blobCheck } : {}),
          });
    this.redis =
      this.options.redis === null
        ? null
        : new RedisTier(this.options.redis, this.options.namespace, this.options.redisTimeoutMs, (state, error) =>
            this.emit('redis', error ? { state, error: error.message } : { state }),
          );
  }

  /** The hex SHA-256 key of a request: model identity, canonical params, input tensor digests. */
  keyFor(parts: ResultParts): string {
    const p = resultKeyParts(parts);
    const key = keyOfParts(p);
    this.parts.delete(key);
    this.parts.set(key, p);
    if (this.parts.size > REMEMBERED_PARTS) this.parts.delete(this.parts.keys().next().value as string);
    return key;
  }

  /** What a key is made of: from this process's keyFor, else from the stored entry. */
  explain(key: string): ResultKeyExplanation {
    this.expectOpen('explain');
    expectResultKey(key);
    const record = this.store?.record(key);
    let parts = this.parts.get(key) ?? null;
    if (!parts && this.store) {
      const read = this.store.read(key);
      if (read) parts = decodeFrame(read.frame).facts.parts;
    }
    const lines = parts ? describeResultKeyParts(parts) : ['(unknown: not made by this process, not in the embedded store)'];
    return { key, parts, lines, entry: record ? { key, ...record } : null };
  }

  async get(key: string): Promise<ResultValue | undefined> {
    this.expectOpen('get');
    expectResultKey(key);
    if (!this.enabled) return undefined;
    const found = await this.lookup(key);
    return found.hit ? found.value : undefined;
  }

  async set(key: string, value: ResultValue, options: ResultSetOptions = {}): Promise<void> {
    this.expectOpen('set');
    await this.storeValue(key, value, options);
  }

  /** set() without the closed check: a getOrCompute that was running when close() began still stores (or skips once closed). */
  private async storeValue(key: string, value: ResultValue, options: ResultSetOptions): Promise<void> {
    expectResultKey(key);
    const checked = checkValue(value);
    if (!this.enabled || this.closed) return;
    const now = this.now();
    const ttlMs = options.ttl === undefined ? this.options.ttlMs : parseDuration(options.ttl, 'ttl');
    const parts = this.parts.get(key) ?? null;
    const facts: EntryFacts = {
      model: parts?.model ?? '',
      createdAt: now,
      expiresAt: ttlMs > 0 ? now + ttlMs : null,
      computeMs: Math.max(0, options.computeMs ?? 0),
      files: checked.files,
      parts,
    };
    await this.write(key, encodeFrame(facts, checked), facts, now);
  }

  async delete(key: string): Promise<boolean> {
    this.expectOpen('delete');
    expectResultKey(key);
    const local = (await this.store?.remove(key, 'deleted')) ?? false;
    let remote = false;
    if (this.redis && (await this.redis.available())) remote = await this.redis.delete(key).catch(() => false);
    return local || remote;
  }

  /**
   * The stored result for parts, or compute's (then stored). Concurrent calls for one key in
   * this process run compute once. Bypassed (computed, never stored) when the cache is off,
   * options.cacheable is false, or the cacheable(params) predicate says no.
   * A caller's signal ends only that caller's wait: the shared compute goes on while any caller
   * still waits, and its signal (compute's argument) aborts only when every waiter gave up.
   */
  async getOrCompute(
    parts: ResultParts,
    compute: (signal?: AbortSignal) => Promise<ResultValue>,
    options: GetOrComputeOptions = {},
  ): Promise<GetOrComputeResult> {
    this.expectOpen('getOrCompute');
    options.signal?.throwIfAborted();
    const predicate = this.options.cacheable;
    if (!this.enabled || options.cacheable === false || (typeof predicate === 'function' && !predicate(parts?.params))) {
      this.tally.bypass();
      this.emit('lookup', { outcome: 'bypass', tier: 'local', ms: 0, key: '' });
      return { value: await compute(options.signal), outcome: 'bypass', key: '' };
    }
    const key = this.keyFor(parts);
    const { promise, leader } = this.flights.run(key, options.signal, async (signal) => {
      const found = await this.lookup(key);
      if (found.hit) return { value: found.value, outcome: 'hit' as const };
      signal.throwIfAborted();
      const started = performance.now();
      const value = await compute(signal);
      await this.storeValue(key, value, {
        computeMs: performance.now() - started,
        ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
      });
      return { value, outcome: 'miss' as const };
    });
    const result = await raceAbort(promise, options.signal);
    if (leader) return { ...result, key };
    this.tally.joined();
    return { value: result.value, outcome: 'hit', key };
  }

  stats(): ResultCacheStats {
    const c = this.tally.counters;
    const store = this.closed ? this.lastLifetime : (this.store?.counters() ?? null);
    const asked = c.hits + c.misses;
    return {
      hits: c.hits,
      misses: c.misses,
      bypasses: c.bypasses,
      expired: c.expired,
      evicted: c.evicted,
      entries: store?.count ?? 0,
      bytes: store?.bytes ?? 0,
      hitRate: asked === 0 ? 0 : c.hits / asked,
      timeSavedMs: c.timeSavedMs,
      localHits: c.localHits,
      redisHits: c.redisHits,
      joined: c.joined,
      redis: this.redis ? this.redis.status : 'off',
      lifetime: store,
    };
  }

  /** Writes the hits not yet recorded and waits for background writes (fills from Redis...). */
  async flush(): Promise<void> {
    await this.flushTouches();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Writes what is pending and closes the store; afterwards every call but stats() and close() throws OVCACHE_CLOSED. */
  async close(): Promise<void> {
    if (this.closed || this.closing) return this.closing;
    this.closing = (async () => {
      await this.flush();
      this.lastLifetime = this.store?.counters() ?? null;
      this.closed = true;
      await this.store?.close();
      await this.redis?.close();
    })();
    return this.closing;
  }

  private expectOpen(operation: string): void {
    if (this.closed || this.closing)
      throw new OvcacheError('OVCACHE_CLOSED', `ResultCache.${operation}() after close(): this cache is closed; create a new ResultCache`);
  }

  private async lookup(key: string): Promise<Found> {
    const started = performance.now();
    const report = (found: Found): Found => {
      const outcome = found.hit ? 'hit' : found.expired ? 'expired' : 'miss';
      if (found.hit) this.tally.hit(found.tier, found.facts.computeMs, found.tier === 'local' ? key : undefined);
      else this.tally.miss(found.expired);
      this.emit('lookup', { outcome, tier: found.tier, ms: performance.now() - started, key });
      return found;
    };
    const local = this.lookupLocal(key);
    if (local.hit || !this.redis) return report(local);
    return report(await this.lookupRedis(key, local.expired));
  }

  private lookupLocal(key: string): Found {
    const miss: Found = { hit: false, expired: false, tier: 'local' };
    if (!this.store) return miss;
    let read: ReturnType<LocalStore['read']>;
    try {
      read = this.store.read(key);
    } catch (error) {
      this.fail('get', key, error);
      // A blob that no longer hashes to its name: never served, removed with its entry.
      if (isOvcacheError(error, 'OVCACHE_RESULT_STORE_FAILED')) this.background(this.store.removeDamaged(key));
      return miss;
    }
    if (!read) {
      const orphan = this.store.record(key);
      if (orphan) this.background(this.store.remove(key, 'damaged', orphan.createdAt)); // its blob file is gone
      return miss;
    }
    const { record, frame } = read;
    if (record.expiresAt !== null && record.expiresAt <= this.now()) {
      this.background(this.store.remove(key, 'expired', record.createdAt));
      return { hit: false, expired: true, tier: 'local' };
    }
    if (!filesUnchanged(record.files)) {
      // Reported once, by the lookup whose removal took the entry (concurrent lookups see it too).
      const removal = this.store.remove(key, 'files', record.createdAt).then((removed) => {
        if (removed) this.evicted({ reason: 'files', count: 1, tier: 'local' });
      });
      this.background(removal);
      return miss;
    }
    try {
      const { facts, value } = decodeFrame(frame);
      return { hit: true, value, facts, tier: 'local' };
    } catch (error) {
      this.fail('get', key, error);
      this.background(this.store.remove(key, 'damaged', record.createdAt));
      return miss;
    }
  }

  private async lookupRedis(key: string, expiredLocally: boolean): Promise<Found> {
    const miss: Found = { hit: false, expired: expiredLocally, tier: 'redis' };
    const redis = this.redis;
    if (!redis || !(await redis.available())) return { ...miss, tier: 'local' };
    let reply: Awaited<ReturnType<RedisTier['get']>>;
    try {
      reply = await redis.get(key, this.now());
    } catch {
      return miss;
    }
    if (reply === undefined) return miss;
    if (reply === 'expired') return { hit: false, expired: true, tier: 'redis' };
    let decoded: ReturnType<typeof decodeFrame>;
    try {
      decoded = decodeFrame(reply);
    } catch (error) {
      this.fail('get', key, error);
      return miss;
    }
    const { facts, value } = decoded;
    if (facts.expiresAt !== null && facts.expiresAt <= this.now()) return { hit: false, expired: true, tier: 'redis' };
    if (!filesUnchanged(facts.files)) {
      this.background(redis.delete(key));
      this.evicted({ reason: 'files', count: 1, tier: 'redis' });
      return miss;
    }
    if (this.store) this.background(this.putLocal(key, reply, facts, this.now())); // fill the local tier
    return { hit: true, value, facts, tier: 'redis' };
  }

  /** Writes the queued lookups (hits, misses, bypasses) and moves hit entries to the recently used end. */
  private async flushTouches(): Promise<void> {
    const batch = this.tally.take();
    if (!this.store || !batch) return;
    try {
      await this.store.addLookups(batch.touches, batch.counts, this.now());
    } catch (error) {
      this.fail('touch', [...batch.touches.keys()][0] ?? '', error);
    }
  }

  /** Writes to both tiers; Redis failures are absorbed, local store failures reported. */
  private async write(key: string, frame: Buffer, facts: EntryFacts, now: number): Promise<void> {
    await this.flushTouches(); // earlier hits count before this write's eviction picks victims
    const local = this.store ? this.putLocal(key, frame, facts, now) : Promise.resolve();
    const remote = this.putRedis(key, frame, facts, now);
    await Promise.all([local, remote]);
  }

  private async putLocal(key: string, frame: Buffer, facts: EntryFacts, now: number): Promise<void> {
    if (!this.store) return;
    let result: PutResult;
    try {
      result = await this.store.put(key, frame, facts, { maxEntries: this.options.maxEntries, maxBytes: this.options.maxBytes }, now);
    } catch (error) {
      this.fail('set', key, error);
      return;
    }
    const e = result.evicted;
    if (e.ttl.count > 0) this.evicted({ reason: 'ttl', count: e.ttl.count, tier: 'local' });
    if (e.count.count > 0) this.evicted({ reason: 'count', count: e.count.count, tier: 'local' });
    if (e.bytes.count > 0) this.evicted({ reason: 'bytes', count: e.bytes.count, tier: 'local' });
  }

  private async putRedis(key: string, frame: Buffer, facts: EntryFacts, now: number): Promise<void> {
    const redis = this.redis;
    // As the local store: a value larger than maxBytes is not stored (it would evict every other entry).
    if (this.options.maxEntries === 0 || (this.options.maxBytes > 0 && frame.length > this.options.maxBytes)) return;
    if (!redis || !(await redis.available())) return;
    const ttlMs = facts.expiresAt === null ? 0 : facts.expiresAt - now;
    if (facts.expiresAt !== null && ttlMs <= 0) return;
    try {
      const out = await redis.set(key, frame, ttlMs, { maxEntries: this.options.maxEntries, maxBytes: this.options.maxBytes }, now);
      if (out.expired > 0) this.evicted({ reason: 'ttl', count: out.expired, tier: 'redis' });
      if (out.byCount > 0) this.evicted({ reason: 'count', count: out.byCount, tier: 'redis' });
      if (out.byBytes > 0) this.evicted({ reason: 'bytes', count: out.byBytes, tier: 'redis' });
    } catch (error) {
      log('redis set of %s failed: %s', key, (error as Error).message);
    }
  }

  private evicted(event: ResultEvictEvent): void {
    this.tally.evicted(event.count);
    this.emit('evict', event);
  }

  private fail(operation: 'set' | 'get' | 'touch', key: string, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    log('%s %s failed: %s', operation, key, e.message);
    if (this.listenerCount('error') > 0) this.emit('error', { operation, key, error: e });
  }

  /** Tracks work the caller does not wait for, so flush() and close() can. */
  private background(work: Promise<unknown> | undefined): void {
    if (!work) return;
    const tracked = work.catch((error: unknown) => log('background work failed: %s', (error as Error).message));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
