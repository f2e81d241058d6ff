// The budget keeper of one ModelCache: what its entries hold (an estimate kept up to date on
// writes and evictions, so the warm path reads only memory), eviction passes through the one
// eviction driver, the free-space guard before an entry is written, and the holds that keep
// entries in use from eviction. Passes run one at a time in this process.
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { logger } from '../../log';
import type { EvictionReport } from '../compile-types';
import { readManifest } from '../entry/manifest';
import { byPolicy, runEviction } from '../eviction/driver';
import type { CurrentGeneration } from '../eviction/plan';
import { scanCache, type ScannedEntry } from '../scan';
import { tryVolumeStats, type VolumeStats } from '../volume';
import type { BudgetEvent, BudgetUncachedReason, EvictedEntry } from './events';
import { configuredLimits, roundPolicy, type EvictLimits } from './limits';
import { floorBytes, hasFloor, hasLimits, type ResolvedBudget } from './options';
import { BudgetReporter } from './reporter';
import { estimateEntryBytes, SizeFactors, type SizeFactor } from './size-factors';
import { budgetStatus, usageFromScan, type BudgetStatus, type CacheUsage } from './status';

const log = logger('cache');

/** Keys whose last use in this process is remembered (newer than their manifests when touches are throttled). */
const MAX_LAST_USE = 10_000;

export type PassTrigger = 'compile' | 'guard' | 'monitor' | 'evict';

export interface BudgetKeeperOptions {
  dir: string;
  budget: ResolvedBudget;
  staleLockMs: number;
  /** The learned size factors' file; undefined keeps them in memory. */
  sizeFactorsFile: string | undefined;
  emit: (event: BudgetEvent) => void;
  /** The runtime build and device identities now loaded: eviction takes other generations first. */
  currentGeneration?: () => CurrentGeneration | undefined;
}

/** What a compile asks the guard about: room for an entry of this many weight bytes. */
export interface SpaceRequest {
  key: string;
  model: string;
  entryName: string;
  device: string;
  weightBytes: number;
}

/** What a compile tells the keeper once it returned. */
export interface CompileReport {
  key: string | null;
  entryDir: string | null;
  cached: boolean;
  hit: boolean;
  wroteBytes: number;
}

export interface PassResult {
  usedBytes: number;
  entries: number;
  volume: VolumeStats | null;
  removed: EvictedEntry[];
  bytesFreed: number;
  before: EvictionReport['before'];
  skipped: EvictionReport['skipped'];
  remaining: ScannedEntry[];
}

export class BudgetKeeper {
  readonly budget: ResolvedBudget;
  readonly sizeFactors: SizeFactors;
  private readonly reporter: BudgetReporter;
  /** Keys eviction must not take: compiling now, or held (the registry's loaded models). */
  private readonly holds = new Map<string, number>();
  private readonly lastUse = new LRUCache<string, number>({ max: MAX_LAST_USE });
  private estimate: { bytes: number; entries: number } | null = null;
  private lastVolume: VolumeStats | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: BudgetKeeperOptions) {
    this.budget = options.budget;
    this.sizeFactors = new SizeFactors(options.sizeFactorsFile);
    this.reporter = new BudgetReporter(options.budget, options.emit);
  }

  get hasLimits(): boolean {
    return hasLimits(this.budget);
  }

  /** Keeps an entry from eviction until the returned function is called. */
  hold(key: string): () => void {
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.holds.get(key) ?? 1) - 1;
      if (n <= 0) this.holds.delete(key);
      else this.holds.set(key, n);
    };
  }

  isHeld(key: string): boolean {
    return this.holds.has(key);
  }

  noteUse(key: string): void {
    this.lastUse.set(key, Date.now());
  }

  async usage(): Promise<CacheUsage> {
    const [scan, volume] = await Promise.all([scanCache(this.options.dir, { checkModels: false }), this.statVolume()]);
    this.estimate = { bytes: scan.totals.bytes, entries: scan.totals.entries };
    const entries = this.withLastUse(scan.entries);
    return usageFromScan(scan, volume, budgetStatus(this.budget, scan.totals.bytes, entries, volume, Date.now()));
  }

  /** Compares the last measured usage with the limits (read-only caches only measure). */
  checkUsage(usedBytes: number, volume: VolumeStats | null): void {
    this.reporter.check({ usedBytes, entries: this.estimate?.entries ?? 0, volume });
  }

  /** A pass with the cache's own limits, as the monitor runs it. */
  async check(): Promise<BudgetStatus | null> {
    const pass = await this.serialized(() => this.pass(configuredLimits(this.budget), 'monitor', { dryRun: false }));
    return budgetStatus(this.budget, pass.usedBytes, pass.remaining, pass.volume, Date.now());
  }

  evict(limits: EvictLimits, dryRun: boolean): Promise<PassResult> {
    return this.serialized(() => this.pass(limits, 'evict', { dryRun }));
  }

  /**
   * After a compile. A cold write rescans and evicts (awaited: usage is within maxBytes when
   * compile() returns); a warm hit changes no usage and only compares the in-memory figures.
   */
  async afterCompile(o: CompileReport): Promise<void> {
    // A new entry: compiled here (a miss), or a hit on an entry just copied down from a tier.
    if (!(o.cached && o.key && (!o.hit || o.wroteBytes > 0))) {
      if (this.estimate) this.checkUsage(this.estimate.bytes, this.lastVolume);
      return;
    }
    if (this.estimate) this.estimate.bytes += o.wroteBytes;
    const key = o.key;
    try {
      await this.serialized(async () => {
        // The entry just written stays unless it alone is above maxBytes (its estimate was too low).
        const read = o.entryDir ? await readManifest(o.entryDir) : null;
        const bytes = read?.status === 'ok' ? read.manifest.bytes : 0;
        const tooBig = this.budget.maxBytes !== null && bytes > this.budget.maxBytes;
        await this.pass(configuredLimits(this.budget), 'compile', { dryRun: false, ...(tooBig ? {} : { keep: key }) });
        if (tooBig) log('entry %s (%d bytes) alone exceeds maxBytes %d', path.basename(o.entryDir ?? ''), bytes, this.budget.maxBytes);
      });
    } catch (error) {
      // The budget must never fail the user's compile.
      log('budget check after compiling %s failed: %s', key.slice(0, 12), (error as Error).message);
    }
  }

  /**
   * The free-space guard, before a compile writes a new entry: estimates its size (its weights
   * by the size factor the fill looks up), makes room (eviction), and refuses (the compile then runs
   * uncached) when there is still none.
   */
  async guardSpace(req: SpaceRequest, sizeFactor: () => Promise<SizeFactor>): Promise<BudgetUncachedReason | null> {
    const b = this.budget;
    if (b.maxBytes === null && !hasFloor(b)) return null;
    const { factor, learned } = await sizeFactor(); // read only when a limit applies
    const estimate = estimateEntryBytes(req.weightBytes, factor);
    let reason: BudgetUncachedReason | null = null;
    let why = '';
    let used = this.estimate?.bytes ?? 0;
    let volume = this.lastVolume;
    if (b.maxBytes !== null && estimate > b.maxBytes) {
      reason = 'over-budget';
      why = `its estimated size ${estimate} bytes alone exceeds maxBytes ${b.maxBytes}`;
    } else {
      if (!this.estimate && b.maxBytes !== null) {
        const scan = await scanCache(this.options.dir, { checkModels: false });
        this.estimate = { bytes: scan.totals.bytes, entries: scan.totals.entries };
        used = scan.totals.bytes;
      }
      if (hasFloor(b)) volume = await this.statVolume();
      if (this.short(used, estimate, volume)) {
        const pass = await this.serialized(() =>
          this.pass(configuredLimits(b), 'guard', { dryRun: false, keep: req.key, extraBytes: estimate }),
        );
        used = pass.usedBytes;
        volume = pass.volume ?? volume;
        const floor = floorBytes(b, volume);
        if (b.maxBytes !== null && used + estimate > b.maxBytes) {
          reason = 'over-budget';
          why = `${used} bytes in entries + its estimated ${estimate} bytes exceed maxBytes ${b.maxBytes} (the rest is protected)`;
        } else if (floor !== null && volume !== null && volume.availableBytes - estimate < floor) {
          reason = 'low-space';
          why = `${volume.availableBytes} bytes available - its estimated ${estimate} bytes would fall under the free-space floor ${floor}`;
        }
      }
    }
    if (!reason) return null;
    const message = `compiling ${req.entryName} without the cache (${reason}): ${why} (size factor ${factor}${learned ? ', learned' : ', default'})`;
    this.reporter.uncached(
      { reason, model: req.model, device: req.device, estimatedBytes: estimate, message },
      { usedBytes: used, entries: this.estimate?.entries ?? 0, volume },
    );
    return reason;
  }

  /** Waits for the pass in progress. */
  async drain(): Promise<void> {
    await this.queue;
  }

  private short(used: number, estimate: number, volume: VolumeStats | null): boolean {
    const b = this.budget;
    const floor = floorBytes(b, volume);
    return (
      (b.maxBytes !== null && used + estimate > b.maxBytes) ||
      (floor !== null && volume !== null && volume.availableBytes - estimate < floor)
    );
  }

  /** One eviction pass: scan, then the eviction driver with this cache's protections. */
  private async pass(
    limits: EvictLimits,
    trigger: PassTrigger,
    o: { dryRun: boolean; keep?: string; extraBytes?: number },
  ): Promise<PassResult> {
    const now = Date.now();
    const [scan, volume] = await Promise.all([scanCache(this.options.dir, { checkModels: false }), this.statVolume()]);
    const current = this.options.currentGeneration?.();
    const policy = roundPolicy(limits, this.budget, volume, o.extraBytes ?? 0, now);
    const result = await runEviction({
      cacheDir: this.options.dir,
      entries: this.withLastUse(scan.entries),
      protectedKeys: o.keep === undefined ? this.holds.keys() : [...this.holds.keys(), o.keep],
      dryRun: o.dryRun,
      staleLockMs: this.options.staleLockMs,
      select: byPolicy((state) => ({ ...policy(state), ...(current ? { current } : {}) })),
    });
    const removed = result.removed.map((r) => evicted(r.entry, r.reason, r.bytes));
    // 'missing' never reaches the skipped list: the driver counts those entries as gone.
    const skipped = result.skipped.flatMap((s) =>
      s.status === 'missing' ? [] : [{ name: s.entry.name, key: s.entry.key, status: s.status, message: s.message }],
    );
    const usage = { usedBytes: result.usedBytes, entries: result.remaining.length, volume };
    if (!o.dryRun) {
      this.estimate = { bytes: result.usedBytes, entries: result.remaining.length };
      if (removed.length > 0) usage.volume = (await this.statVolume()) ?? volume;
      if (removed.length > 0) this.reporter.evicted(trigger, removed, result.bytesFreed, usage);
      this.reporter.check(usage);
    }
    return {
      ...usage,
      removed,
      bytesFreed: result.bytesFreed,
      before: { bytes: scan.totals.bytes, entries: scan.totals.entries },
      skipped,
      remaining: result.remaining,
    };
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async statVolume(): Promise<VolumeStats | null> {
    const volume = await tryVolumeStats(this.options.dir, this.budget.statfs);
    if (volume) this.lastVolume = volume;
    return volume;
  }

  /** Scanned entries with the last use this process knows of (hits not yet written to manifests). */
  private withLastUse(entries: ScannedEntry[]): ScannedEntry[] {
    return entries.map((e) => {
      const used = e.key ? this.lastUse.get(e.key) : undefined;
      return used !== undefined && used > e.lastUsedMs ? { ...e, lastUsedMs: used } : e;
    });
  }
}

function evicted(e: ScannedEntry, reason: EvictedEntry['reason'], bytes: number): EvictedEntry {
  return { name: e.name, key: e.key, model: e.model, device: e.device, bytes, lastUsedAt: e.lastUsedAt, reason };
}
