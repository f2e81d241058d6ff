// The tiers below one local cache, and the rules for using them: tried in order on a local
// miss; a failed or slow tier is skipped (an event, then retryAfterMs of not asking) and never
// fails a compile; local fills are published to every writable tier; before compiling what no
// tier has, one lease per key across the fleet decides who compiles while the others wait.
import { EventEmitter } from 'node:events';
import { sleepOrAbort } from '../cache/abort/signal';
import { logger } from '../log';
import { withDeadline } from './deadline';
import { resolveFleetOptions, type FleetOptions, type ResolvedFleetOptions, type TierOptions } from './fleet-options';
import { FolderTier } from './folder-tier';
import { RedisLeases } from './redis-lease';
import { S3Tier } from './s3-tier';
import type { Lease, LeaseProvider, Tier } from './tier';
import { publishEntry, pullEntry, type PullTarget } from './transfer';
import type { TrustRefusal } from '../trust/signature';
import { trustLocalEntry } from '../trust/local-entry';
import type { EntryManifest } from '../cache/entry/manifest';
import { trustFromEnv, type ResolvedTrust } from '../trust/trust-options';

const log = logger('fleet');

/** Errors about the local entry, not the tier, when publishing. */
const LOCAL_ERRORS = new Set(['OVCACHE_ENTRY_NOT_FOUND']);

export interface TierEvent {
  /** The tier's name ("folder:/mnt/cache", "s3://bucket/prefix/") or the lease provider's. */
  tier: string;
  op: 'get' | 'publish' | 'lease';
  outcome: 'hit' | 'miss' | 'refused' | 'published' | 'present' | 'acquired' | 'waiting' | 'down' | 'skipped';
  key: string;
  ms: number;
  /** Bytes copied down (get) or up (publish); 0 when the entry was already there. */
  bytes?: number;
  /** Why: the refusal, the error of a tier that is down, "retry after ..." for a skipped tier. */
  reason?: string;
  /** A refusal by trust (docs/fleet.md, Trust): unsigned, untrusted-key, bad-signature, mismatch (bytes other than their digest). */
  refusal?: TrustRefusal;
  /** A hit with trust: the key id that signed the entry. */
  signedBy?: string;
}

export interface FleetEvents {
  tier: [TierEvent];
}

export interface FleetStats {
  tierHits: number;
  tierMisses: number;
  refused: number;
  published: number;
  /** Calls a tier or lease provider did not answer in time or failed (each then skipped a while). */
  down: number;
  skipped: number;
  leaseWaits: number;
}

export interface LeaseOutcome {
  /** Held: compile, publish, then release. Null: compile anyway (no lease to be had, or waited out). */
  lease: Lease | null;
  /** The entry appeared (locally or on a tier) while waiting: load it, do not compile. */
  found: boolean;
  waitedMs: number;
}

/** A tier from its options; timeoutMs bounds each of its calls (the fleet's timeoutMs, default 5000). */
export function createTier(options: TierOptions, settings: { timeoutMs?: number } = {}): Tier {
  return 's3' in options ? new S3Tier(options, settings.timeoutMs) : new FolderTier(options);
}

export class Fleet extends EventEmitter<FleetEvents> {
  readonly options: ResolvedFleetOptions;
  readonly tiers: readonly Tier[];
  /** The trust option's keys, else OVCACHE_SIGNING_KEY / OVCACHE_TRUSTED_KEYS; undefined: nothing signed or checked. */
  readonly trust: ResolvedTrust | undefined;
  private readonly leases: LeaseProvider | undefined;
  private readonly downUntil = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();
  /** Keys whose tier copy this process refused: their publish replaces the tier's manifest, whatever it says. */
  private readonly refusedKeys = new Set<string>();
  /** Local entries acceptLocal refused (reported once each). */
  private readonly refusedLocal = new Set<string>();
  private counters: FleetStats = { tierHits: 0, tierMisses: 0, refused: 0, published: 0, down: 0, skipped: 0, leaseWaits: 0 };

  constructor(options: FleetOptions, tiers?: Tier[]) {
    super();
    this.options = resolveFleetOptions(options);
    const timeoutMs = this.options.timeoutMs;
    this.trust = this.options.trust ?? trustFromEnv();
    this.tiers = tiers ?? this.options.tiers.map((t) => createTier(t, { timeoutMs }));
    this.leases = this.options.coordinator
      ? new RedisLeases(this.options.coordinator, timeoutMs)
      : this.tiers.find((t) => !t.readOnly)?.leases();
  }

  get writableTiers(): Tier[] {
    return this.tiers.filter((t) => !t.readOnly);
  }

  stats(): FleetStats {
    return { ...this.counters };
  }

  private note(event: TierEvent): void {
    if (event.outcome === 'down') this.counters.down++;
    if (event.outcome === 'skipped') this.counters.skipped++;
    log('%s %s %s %s%s', event.tier, event.op, event.key.slice(0, 12), event.outcome, event.reason ? ` (${event.reason})` : '');
    this.emit('tier', event);
  }

  /** A tier that failed recently is not asked again until retryAfterMs has passed. */
  private skip(name: string, op: TierEvent['op'], key: string): boolean {
    const until = this.downUntil.get(name);
    if (until === undefined || until <= Date.now()) return false;
    this.note({ tier: name, op, outcome: 'skipped', key, ms: 0, reason: `down; retry after ${new Date(until).toISOString()}` });
    return true;
  }

  private down(name: string, op: TierEvent['op'], key: string, started: number, error: unknown): void {
    this.downUntil.set(name, Date.now() + this.options.retryAfterMs);
    this.note({ tier: name, op, outcome: 'down', key, ms: Date.now() - started, reason: (error as Error).message });
  }

  /**
   * With trust: whether an entry already in the local folder `cacheDir` may be used. One copied in
   * from a tier or a bundle whose signer is not trusted now (unsigned, or its key removed from
   * trustedKeys) is not: a `get` / `refused` event on `local:<cacheDir>`, counted as a refusal.
   */
  acceptLocal(manifest: EntryManifest, cacheDir: string): boolean {
    if (!this.trust) return true;
    const check = trustLocalEntry(manifest, this.trust);
    if (check.ok) return true;
    // One event per entry refused: a compile asks on its fast path and again under the lock.
    const seen = `${cacheDir}\0${manifest.key}\0${manifest.origin?.from}\0${manifest.origin?.signedBy}\0${manifest.createdAt}`;
    if (this.refusedLocal.has(seen)) return false;
    this.refusedLocal.add(seen);
    this.counters.refused++;
    const reason = `${check.refusal}: ${check.detail}`;
    this.note({ tier: `local:${cacheDir}`, op: 'get', outcome: 'refused', key: manifest.key, ms: 0, reason, refusal: check.refusal });
    return false;
  }

  /** Copies the key's entry down from the first tier that has it: which tier and how many bytes, or undefined. */
  async fetch(
    target: PullTarget,
    options: { quiet?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<{ tier: string; bytes: number } | undefined> {
    const { signal } = options;
    for (const tier of this.tiers) {
      if (this.skip(tier.name, 'get', target.key)) continue;
      const started = Date.now();
      try {
        const r = await pullEntry(tier, { ...target, trust: this.trust }, this.options.timeoutMs, signal);
        const ms = Date.now() - started;
        if (r.status === 'installed' || r.status === 'present') {
          this.counters.tierHits++;
          const copied = r.status === 'installed' ? r.bytes : 0;
          const signedBy = r.signedBy ? { signedBy: r.signedBy } : {};
          this.note({ tier: tier.name, op: 'get', outcome: 'hit', key: target.key, ms, bytes: copied, ...signedBy });
          return { tier: tier.name, bytes: copied };
        }
        if (r.status === 'refused') {
          this.counters.refused++;
          this.refusedKeys.add(target.key);
          const refusal = r.refusal ? { refusal: r.refusal } : {};
          this.note({ tier: tier.name, op: 'get', outcome: 'refused', key: target.key, ms, reason: r.reason, ...refusal });
        } else if (!options.quiet) {
          this.counters.tierMisses++;
          const reason = r.status === 'miss' ? r.reason : 'the local entry is locked';
          this.note({ tier: tier.name, op: 'get', outcome: 'miss', key: target.key, ms, reason });
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason; // the caller gave up: not the tier's fault
        this.down(tier.name, 'get', target.key, started, error);
      }
    }
    return undefined;
  }

  /** Publishes a complete local entry to every writable tier. Never rejects. */
  async publish(entryDir: string, key: string): Promise<void> {
    const replace = this.refusedKeys.delete(key);
    for (const tier of this.writableTiers) {
      if (this.skip(tier.name, 'publish', key)) continue;
      const started = Date.now();
      try {
        const r = await publishEntry(tier, entryDir, this.options.timeoutMs, this.trust, replace);
        if (r.status === 'published') this.counters.published++;
        if (r.status === 'not-signed') {
          this.note({
            tier: tier.name,
            op: 'publish',
            outcome: 'refused',
            key,
            ms: Date.now() - started,
            reason: r.reason ?? 'not signed',
          });
          continue;
        }
        this.note({ tier: tier.name, op: 'publish', outcome: r.status, key, ms: Date.now() - started, bytes: r.bytes });
      } catch (error) {
        // The local entry went away (evicted, cleared) while publishing: not the tier's fault.
        if (LOCAL_ERRORS.has((error as { code?: string }).code ?? '')) {
          log('not publishing %s: %s', entryDir, (error as Error).message);
          return;
        }
        this.down(tier.name, 'publish', key, started, error);
      }
    }
  }

  /** Runs work after the caller returns; flush() waits for it. */
  track(work: Promise<void>): void {
    const tracked = work.catch((error: Error) => log('background work failed: %s', error.message));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /**
   * The lease to compile `key`, waiting (bounded by leaseWaitMs) while another process holds
   * it and calling `lookFor` between attempts: when the holder's entry appears, found is true.
   * An aborted signal ends the wait: it rejects with the signal's reason, holding no lease.
   */
  async lease(key: string, lookFor: () => Promise<boolean>, signal?: AbortSignal): Promise<LeaseOutcome> {
    const provider = this.leases;
    const started = Date.now();
    if (!provider || this.writableTiers.length === 0) return { lease: null, found: false, waitedMs: 0 };
    let waiting = false;
    for (;;) {
      if (this.skip(provider.name, 'lease', key)) return { lease: null, found: false, waitedMs: Date.now() - started };
      const t = Date.now();
      let lease: Lease | null;
      const asking = provider.tryAcquire(key, this.options.leaseTtlMs);
      try {
        lease = await withDeadline(`${provider.name} lease`, this.options.timeoutMs, () => asking);
      } catch (error) {
        // A lease granted after the deadline is nobody's: give it back rather than renew it.
        void asking.then(
          (late) => late?.release(),
          () => undefined,
        );
        this.down(provider.name, 'lease', key, t, error);
        return { lease: null, found: false, waitedMs: Date.now() - started };
      }
      if (lease && signal?.aborted) await lease.release();
      signal?.throwIfAborted();
      if (lease) {
        this.note({ tier: provider.name, op: 'lease', outcome: 'acquired', key, ms: Date.now() - started });
        // A holder may have published and released between our first look and this lease: look again.
        const found = await lookFor().catch(async (error: unknown) => {
          await lease.release(); // an aborted look holds nothing
          throw error;
        });
        if (found) {
          await lease.release();
          return { lease: null, found: true, waitedMs: Date.now() - started };
        }
        return { lease, found: false, waitedMs: Date.now() - started };
      }
      if (!waiting) {
        waiting = true;
        this.counters.leaseWaits++;
        this.note({ tier: provider.name, op: 'lease', outcome: 'waiting', key, ms: Date.now() - started });
      }
      await sleepOrAbort(this.options.pollMs * (0.75 + Math.random() / 2), signal);
      if (await lookFor()) return { lease: null, found: true, waitedMs: Date.now() - started };
      if (Date.now() - started >= this.options.leaseWaitMs) {
        log('waited %d ms for the holder of %s; compiling here', Date.now() - started, key.slice(0, 12));
        return { lease: null, found: false, waitedMs: Date.now() - started };
      }
    }
  }

  /** Waits for background publishes. */
  async flush(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /**
   * Waits for background publishes, releases the leases and closes the tiers. Bounded: each of
   * those calls is bounded by timeoutMs (a publish also by its transfer deadline).
   */
  async close(): Promise<void> {
    await this.flush();
    await this.leases?.close();
    await Promise.all(this.tiers.map((t) => t.close()));
  }
}
