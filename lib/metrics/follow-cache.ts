// Follows one ModelCache for the metrics: its events feed the counters and histograms as they
// happen; its stats() and usage() are read at scrape time (usage at most every usageIntervalMs,
// since it scans the folder; budget events update it in between).
import type { BudgetCondition, BudgetEvent } from '../cache/budget/events';
import type { CacheErrorEvent, CacheEvent, ModelCacheEvents } from '../cache/compile-types';
import type { LocalModelCache } from '../cache/model-cache';
import type { CacheStats } from '../cache/stats';
import type { MetricSet } from './definitions';
import type { Incrementable as Child, Observer, Tally } from './tally';

interface DiskFigures {
  bytes: number;
  entries: number;
  maxBytes: number;
  availableBytes: number;
  floorBytes: number;
}

type StatsKey = 'timeSavedMs' | 'bytesWritten' | 'lockWaits' | 'lockTimeouts';

export class CacheFollower {
  private readonly children = new Map<string, Child>();
  private readonly histograms = new Map<string, Observer>();
  private readonly last: Record<StatsKey, number>;
  private disk: DiskFigures | null = null;
  private measuredAt = -Infinity;
  private measuring: Promise<void> | null = null;
  readonly conditions: Record<BudgetCondition, number> = { warn: 0, exceeded: 0, 'low-space': 0 };
  private readonly detachers: Array<() => void> = [];

  constructor(
    readonly cache: LocalModelCache,
    private readonly m: MetricSet,
    private readonly tally: Tally,
    private readonly usageIntervalMs: number,
  ) {
    const s = cache.stats();
    this.last = { timeSavedMs: s.timeSavedMs, bytesWritten: s.bytesWritten, lockWaits: s.lockWaits, lockTimeouts: s.lockTimeouts };
    this.listen('hit', (e: CacheEvent) => this.onHit(e));
    this.listen('compile', (e: CacheEvent) => this.onCompile(e));
    this.listen('error', (e: CacheErrorEvent) => tally.inc(this.child('error', e.device, () => m.errors.labels(e.device))));
    this.listen('budget', (e: BudgetEvent) => this.onBudget(e));
  }

  private listen<E extends keyof ModelCacheEvents>(event: E, fn: (...payload: ModelCacheEvents[E]) => void): void {
    const cache = this.cache as unknown as NodeJS.EventEmitter;
    const listener = fn as (...args: unknown[]) => void;
    cache.on(event, listener);
    this.detachers.push(() => cache.off(event, listener));
  }

  /** Label children are looked up once per (kind, labels): the warm path does one Map get. */
  private child(kind: string, labels: string, make: () => Child): Child {
    const id = `${kind}\0${labels}`;
    let c = this.children.get(id);
    if (!c) this.children.set(id, (c = make()));
    return c;
  }

  private histogram(kind: 'load' | 'compile', device: string): Observer {
    const id = `${kind}\0${device}`;
    let h = this.histograms.get(id);
    if (!h) this.histograms.set(id, (h = (kind === 'load' ? this.m.loadSeconds : this.m.compileSeconds).labels(device)));
    return h;
  }

  private onHit(e: CacheEvent): void {
    this.tally.inc(this.child('hit', e.device, () => this.m.compiles.labels('hit', e.device)));
    this.tally.observe(this.histogram('load', e.device), e.timings.compileMs / 1000);
  }

  private onCompile(e: CacheEvent): void {
    if (e.cached) {
      this.tally.inc(this.child('miss', e.device, () => this.m.compiles.labels('miss', e.device)));
    } else {
      this.tally.inc(this.child('uncached', e.device, () => this.m.compiles.labels('uncached', e.device)));
      const reason = e.uncachedReason ?? 'unknown';
      this.tally.inc(this.child(`uncached:${reason}`, e.device, () => this.m.uncached.labels(reason, e.device)));
    }
    this.tally.observe(this.histogram('compile', e.device), e.timings.compileMs / 1000);
  }

  private onBudget(e: BudgetEvent): void {
    if (this.disk) {
      this.disk.bytes = e.usedBytes;
      this.disk.entries = e.entries;
      if (e.maxBytes !== null) this.disk.maxBytes = e.maxBytes;
      if (e.availableBytes !== null) this.disk.availableBytes = e.availableBytes;
      if (e.floorBytes !== null) this.disk.floorBytes = e.floorBytes;
    }
    if (e.kind === 'evicted') {
      for (const r of e.removed) {
        this.tally.inc(this.child('evict', r.reason, () => this.m.evictions.labels(r.reason)));
        this.tally.inc(
          this.child('evictBytes', r.reason, () => this.m.evictedBytes.labels(r.reason)),
          r.bytes,
        );
      }
    } else if (e.kind === 'recovered') {
      this.conditions[e.condition] = 0;
    } else if (e.kind !== 'uncached') {
      this.conditions[e.kind] = 1;
    }
  }

  /** Scans the folder when the last measurement is older than usageIntervalMs; one scan at a time. */
  refresh(now = Date.now()): Promise<void> {
    if (now - this.measuredAt < this.usageIntervalMs) return Promise.resolve();
    this.measuring ??= this.cache
      .usage()
      .then((u) => {
        const b = u.budget;
        this.disk = {
          bytes: u.bytes,
          entries: u.entries,
          maxBytes: b?.maxBytes?.limit ?? 0,
          availableBytes: u.volume?.availableBytes ?? 0,
          floorBytes: b?.minFree?.floorBytes ?? 0,
        };
        if (b) {
          this.conditions.warn = b.maxBytes?.warn ? 1 : 0;
          this.conditions.exceeded = b.maxBytes?.exceeded ? 1 : 0;
          this.conditions['low-space'] = b.minFree?.low ? 1 : 0;
        }
        this.measuredAt = Date.now();
      })
      .catch(() => {
        // An unreadable folder keeps the last figures; the next scrape tries again.
      })
      .finally(() => {
        this.measuring = null;
      });
    return this.measuring;
  }

  figure(name: keyof DiskFigures): number {
    return this.disk?.[name] ?? 0;
  }

  /** Growth of a stats() counter since the last call; a reset (resetStats) restarts from its value. */
  delta(key: StatsKey, stats: CacheStats = this.cache.stats()): number {
    const now = stats[key];
    const d = now >= this.last[key] ? now - this.last[key] : now;
    this.last[key] = now;
    return d;
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }
}
