// The lookup stage of a compile: reads the entry's manifest once and says what to do with it,
// as a Plan the flow carries out (compile-flow.ts): load the entry, fill it (under its lock),
// or compile without the cache. A leaf: it never loads, fills or compiles.
//   fast       a complete entry this exact source can load: no lock (a load marker instead)
//   read-only  a usable entry is loaded, anything else compiles without the cache
//   miss       one caller per key in this process leads: the tiers, then the entry's lock; the
//              others wait until the leader's plan has ended, then look up again as another
//              process would (or take the leader's reason to compile without the cache)
//   under lock load what another process filled meanwhile, else fill (the lock is kept)
import path from 'node:path';
import { logger } from '../../log';
import type { CacheFolder } from '../cache-dir';
import type { UncachedReason } from '../compile-types';
import { lockPathOf } from '../entry/layout';
import { beginLoad, clearEvictingMarker } from '../entry/load-marker';
import { acquireLock } from '../entry/lock';
import { readManifest, readManifestNow, RecentManifests, type EntryManifest } from '../entry/manifest';
import { isUsable } from '../entry/usable';
import { AbortableFlights } from '../abort/flights';
import { raceAbort } from '../abort/signal';
import type { PreparedCompile } from '../key-builder';
import type { ResolvedCompileOptions } from '../options';
import type { EntryTiers } from '../ports';
import type { CacheStats } from '../stats';
import { request } from './source';

const log = logger('cache');

/**
 * What the flow does next. end() lets go of what the lookup took (the load marker, the lock):
 * `entryDir` the entry the compile left cached (null: none), which the tiers publish; `ended`
 * how the compile ended (its reason to go without the cache, or its error), which callers of
 * the same key waiting in this process take up.
 */
export type Plan = (
  | { kind: 'load'; manifest: EntryManifest; touch: boolean }
  | { kind: 'fill'; previous: EntryManifest | undefined }
  | { kind: 'plain'; reason: UncachedReason }
) & {
  lockWaitMs: number;
  end(entryDir: string | null, ended?: Ended): Promise<void>;
  /** The entry was copied down from a tier for this compile: its name and the bytes copied. */
  copied?: { tier: string | null; bytes: number };
};

/** How a carried-out plan ended: the compile's reason to go without the cache (null: cached), or its error. */
export type Ended = { reason: UncachedReason | null } | { error: Error };

export interface LookupParts {
  folder: CacheFolder;
  lockTimeoutMs: number;
  staleLockMs: number;
  counters: CacheStats;
  /** Whether a local entry may be used (ports.ts EntryTiers.acceptEntry); absent: every entry. */
  acceptEntry?: ((manifest: EntryManifest) => boolean) | undefined;
  /** Below the local folder: asked on a local miss, given every fill to publish. */
  tiers?: EntryTiers | undefined;
}

const nothing = () => Promise.resolve();

/** A compile without the cache, for `reason`. */
export function plainPlan(reason: UncachedReason, lockWaitMs = 0): Plan {
  return { kind: 'plain', reason, lockWaitMs, end: nothing };
}

export class EntryLookup {
  /** The leader's compile per key; its waits end when every caller waiting on it has aborted. */
  private readonly flights = new AbortableFlights<string, UncachedReason | null>();
  /** Manifests the lock-free lookup parsed, reused while their file is unchanged (read only). */
  private readonly recent = new RecentManifests();

  constructor(private readonly p: LookupParts) {}

  /**
   * The local folder, lock-free: a complete entry this exact source can load without OpenVINO
   * writing. While OpenVINO reads the blob a load marker keeps evictors in any process away; a
   * read-only cache takes none (it evicts nothing) and compiles without the cache on a miss.
   */
  async local(prep: PreparedCompile, readOnly: boolean): Promise<Plan | undefined> {
    const endLoad = readOnly ? () => undefined : beginLoad(prep.entryDir);
    if (!endLoad) return undefined;
    let manifest: EntryManifest | undefined;
    try {
      const now = readManifestNow(prep.entryDir, this.recent);
      const read = now.status === 'large' ? await readManifest(prep.entryDir) : now;
      manifest = read.status === 'ok' && this.usable(read.manifest, prep) ? read.manifest : undefined;
    } finally {
      if (!manifest) endLoad();
    }
    if (manifest) return { kind: 'load', manifest, lockWaitMs: 0, touch: !readOnly, end: () => Promise.resolve(endLoad()) };
    if (!readOnly) return undefined;
    log('read-only cache has no usable entry for %s; compiling without the cache', path.basename(prep.entryDir));
    return plainPlan('read-only-miss');
  }

  /**
   * A local miss. The first caller of a key in this process leads: its plan (lead()) is carried
   * out while the others wait; when its plan ends they look up again like any other process
   * would, or compile without the cache for the leader's reason, or throw the leader's error.
   */
  async miss(prep: PreparedCompile, opts: ResolvedCompileOptions): Promise<Plan> {
    let leading: Promise<Plan> | undefined;
    const flight = this.flights.run(prep.key, opts.waits.signal, (signal) => {
      let ended!: (how: Ended) => void;
      const whenEnded = new Promise<UncachedReason | null>((resolve, reject) => {
        ended = (how) => ('error' in how ? reject(how.error) : resolve(how.reason));
      });
      leading = this.lead(prep, opts, signal).then(
        // An end that fails (the lock's release, a sync publish) is the compile's error for the others too.
        (plan) => ({
          ...plan,
          end: (entryDir, how) =>
            plan.end(entryDir).then(
              () => ended(how ?? { reason: null }),
              (error: Error) => {
                ended({ error });
                throw error;
              },
            ),
        }),
        (error: Error) => {
          ended({ error });
          throw error;
        },
      );
      return whenEnded;
    });
    if (flight.leader && leading) {
      flight.promise.catch(() => undefined); // the leader gets its error from its own plan
      return leading;
    }
    opts.waits.progress.phase('lock-wait', { done: 0 });
    const leaderReason = await raceAbort(flight.promise, opts.waits.signal);
    const local = await this.local(prep, false);
    if (local) return local;
    return leaderReason ? plainPlan(leaderReason) : this.underLock(prep, opts, opts.waits.signal);
  }

  /**
   * The leader on a local miss: the tiers first (an entry copied down, or the fleet-wide lease),
   * then the entry's lock; the plan's end publishes what the compile left (ports.ts TierFill).
   */
  private async lead(prep: PreparedCompile, opts: ResolvedCompileOptions, signal: AbortSignal): Promise<Plan> {
    const tiers = this.p.tiers;
    if (!tiers) return this.underLock(prep, opts, signal);
    opts.waits.progress.phase('tier');
    const got = await tiers.beforeFill(request(prep), signal);
    if (got.found) {
      this.p.counters.bytesWritten += got.bytes;
      const copied = await this.local(prep, false);
      if (copied) return { ...copied, copied: { tier: got.tier, bytes: got.bytes } };
    }
    let plan: Plan;
    try {
      plan = await this.underLock(prep, opts, signal);
    } catch (error) {
      await got.finish(null);
      throw error;
    }
    const held = plan;
    return { ...plan, end: (entryDir) => held.end(null).finally(() => got.finish(entryDir)) };
  }

  /** Takes the entry's lock: a usable entry (another process filled it meanwhile) is loaded, else filled. */
  private async underLock(prep: PreparedCompile, opts: ResolvedCompileOptions, signal: AbortSignal | undefined): Promise<Plan> {
    const lockPath = lockPathOf(this.p.folder.layout, prep.key);
    const { progress } = opts.waits;
    let waiting = false;
    const onWait = (ms: number) => {
      if (!waiting) this.p.counters.lockWaits++; // counted also when the wait is aborted
      waiting = true;
      progress.waited('lock-wait', ms);
    };
    const attempt = await acquireLock(lockPath, { timeoutMs: this.p.lockTimeoutMs, staleMs: this.p.staleLockMs, signal, onWait });
    const waited = attempt.waitedMs;
    if (!attempt.lock) {
      if (attempt.unwritable) log('cannot write the lock %s (%s); compiling without the cache', lockPath, attempt.unwritable);
      else {
        this.p.counters.lockTimeouts++;
        log('gave up waiting %d ms for %s; compiling without the cache', waited, lockPath);
      }
      return plainPlan(attempt.unwritable ? 'cache-not-writable' : 'lock-timeout', waited);
    }
    const lock = attempt.lock;
    const end = () => lock.release();
    try {
      signal?.throwIfAborted(); // the last point to stop: OpenVINO's compile cannot be interrupted
      // Holding the lock, no evictor is at work: a marker of one is left from a crash.
      await clearEvictingMarker(prep.entryDir);
      const read = await readManifest(prep.entryDir);
      const manifest = read.status === 'ok' ? read.manifest : undefined;
      // Another process may have filled the entry while this one waited.
      if (manifest && this.usable(manifest, prep)) return { kind: 'load', manifest, lockWaitMs: waited, touch: true, end };
      // An entry the tiers do not accept is no base: its files are discarded and compiled over.
      const previous = manifest && manifest.key === prep.key && this.accepted(manifest) ? manifest : undefined;
      return { kind: 'fill', previous, lockWaitMs: waited, end };
    } catch (error) {
      await end();
      throw error;
    }
  }

  /** Usable by this compile; an entry filled from a model object serves a reshape through OpenVINO's path. */
  private usable(manifest: EntryManifest, prep: PreparedCompile): boolean {
    if (!this.accepted(manifest)) return false;
    // This source, then (a reshaped IR's compile) the model the entry may have been filled from.
    const asked = [request(prep), ...(prep.irSource ? [request({ ...prep, irSource: undefined })] : [])];
    for (const [i, entry] of asked.entries()) {
      if (!isUsable(manifest, entry)) continue;
      if (i > 0) prep.irSource = undefined;
      return true;
    }
    return false;
  }

  /** Whether the tiers let this process use the local entry (ports.ts acceptEntry); without tiers, always. */
  private accepted(manifest: EntryManifest): boolean {
    return this.p.acceptEntry?.(manifest) ?? true;
  }
}
