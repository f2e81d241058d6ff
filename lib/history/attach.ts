// attachHistory(cache): records a ModelCache's activity in its folder's history through the
// cache's public events and stats(): per-interval counters, usage samples, evictions.
// Nothing is written for an interval without activity; a usage sample (a folder scan) is taken
// at most every usageIntervalMs, and only after activity. The last partial interval is written
// by close() or, failing that, when the process exits.
import type { BudgetEvent } from '../cache/budget/events';
import type { CacheEvent, ModelCacheEvents } from '../cache/compile-types';
import type { ModelCache } from '../cache/model-cache';
import type { CacheStats } from '../cache/stats';
import { logger } from '../log';
import { expectIntegerInRange, expectPlainObject, rejectUnknownOptions } from '../openvino/validate';
import { setLongInterval, type LongTimer } from '../timers/long-timer';
import { HISTORY_FORMAT, type EvictRecord, type HistoryRecord, type IntervalRecord } from './records';
import { DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENTS, HistoryWriter } from './writer';

const log = logger('history');

export interface HistoryOptions {
  /** Counters are written once per interval with activity. Default 60000 (1 min). */
  intervalMs?: number;
  /** A usage sample (a scan of the folder) at most this often. Default 600000 (10 min). */
  usageIntervalMs?: number;
  /** A segment file is closed at this size. Default 262144 (256 KiB). */
  segmentBytes?: number;
  /** Segments kept; the history holds at most segments x segmentBytes. Default 8. */
  segments?: number;
}

export interface HistoryRecorder {
  /** Writes what the current interval has so far (and a usage sample when one is due). */
  flush(): Promise<void>;
  /** Flushes and stops recording. */
  close(): Promise<void>;
}

const OPTIONS = ['intervalMs', 'usageIntervalMs', 'segmentBytes', 'segments'] as const;
type Counts = Omit<IntervalRecord, 'v' | 't' | 'pid' | 'type' | 'ms'>;
const zero = (): Counts => ({
  hits: 0,
  misses: 0,
  uncached: 0,
  errors: 0,
  compileMs: 0,
  loadMs: 0,
  savedMs: 0,
  writtenBytes: 0,
  evictions: 0,
  evictedBytes: 0,
});
const round1 = (n: number) => Math.round(n * 10) / 10;

const open = new Set<Recorder>();
let exitHook = false;
function onExit(): void {
  for (const r of open) r.flushSync();
}

class Recorder implements HistoryRecorder {
  private counts = zero();
  private active = false;
  private started = Date.now();
  private lastStats: CacheStats;
  private pending: HistoryRecord[] = [];
  private lastUsageAt = -Infinity;
  private activeSinceUsage = false;
  private readonly timer: LongTimer;
  private readonly detachers: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly cache: ModelCache,
    private readonly writer: HistoryWriter,
    private readonly intervalMs: number,
    private readonly usageIntervalMs: number,
  ) {
    this.lastStats = cache.stats();
    this.listen('hit', (e: CacheEvent) => {
      this.counts.hits++;
      this.counts.loadMs += e.timings.compileMs;
      this.touch();
    });
    this.listen('compile', (e: CacheEvent) => {
      if (e.cached) this.counts.misses++;
      else this.counts.uncached++;
      this.counts.compileMs += e.timings.compileMs;
      this.touch();
    });
    this.listen('error', () => {
      this.counts.errors++;
      this.touch();
    });
    this.listen('budget', (e: BudgetEvent) => this.onBudget(e));
    // Any interval works: past 2^31-1 ms the wait goes in steps (lib/timers/long-timer.ts).
    this.timer = setLongInterval(() => void this.flush(), intervalMs, { unref: true });
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', onExit);
    }
  }

  private listen<E extends keyof ModelCacheEvents>(event: E, fn: (...payload: ModelCacheEvents[E]) => void): void {
    const emitter = this.cache as unknown as NodeJS.EventEmitter;
    const listener = fn as (...args: unknown[]) => void;
    emitter.on(event, listener);
    this.detachers.push(() => emitter.off(event, listener));
  }

  private touch(): void {
    this.active = true;
    this.activeSinceUsage = true;
  }

  private onBudget(e: BudgetEvent): void {
    const t = Date.now();
    const base = { v: HISTORY_FORMAT, t, pid: process.pid } as const;
    this.pending.push({
      ...base,
      type: 'usage',
      bytes: e.usedBytes,
      entries: e.entries,
      maxBytes: e.maxBytes,
      availableBytes: e.availableBytes,
    });
    if (e.kind !== 'evicted') return;
    for (const r of e.removed) {
      const record: EvictRecord = {
        ...base,
        type: 'evict',
        name: r.name,
        model: r.model,
        device: r.device,
        bytes: r.bytes,
        reason: r.reason,
        trigger: e.trigger,
      };
      this.pending.push(record);
      this.counts.evictions++;
      this.counts.evictedBytes += r.bytes;
    }
    this.touch();
  }

  /** The interval's record (with stats() deltas), or null without activity; starts the next interval. */
  private takeInterval(now: number): IntervalRecord | null {
    const s = this.cache.stats();
    const grow = (k: 'timeSavedMs' | 'bytesWritten') => (s[k] >= this.lastStats[k] ? s[k] - this.lastStats[k] : s[k]);
    this.counts.savedMs += grow('timeSavedMs');
    this.counts.writtenBytes += grow('bytesWritten');
    this.lastStats = s;
    if (!this.active) return null;
    const c = this.counts;
    const record: IntervalRecord = {
      v: HISTORY_FORMAT,
      t: now,
      pid: process.pid,
      type: 'interval',
      ms: Math.max(0, now - this.started),
      ...c,
      compileMs: round1(c.compileMs),
      loadMs: round1(c.loadMs),
      savedMs: round1(c.savedMs),
    };
    this.counts = zero();
    this.active = false;
    this.started = now;
    return record;
  }

  flushSync(): void {
    const interval = this.takeInterval(Date.now());
    const records = [...this.pending.splice(0), ...(interval ? [interval] : [])];
    try {
      this.writer.append(records);
    } catch (error) {
      log('history not written (%s): %s', this.writer.historyDir, (error as Error).message);
    }
  }

  async flush(): Promise<void> {
    const now = Date.now();
    if (this.activeSinceUsage && now - this.lastUsageAt >= this.usageIntervalMs) {
      this.lastUsageAt = now;
      this.activeSinceUsage = false;
      try {
        const u = await this.cache.usage();
        this.pending.push({
          v: HISTORY_FORMAT,
          t: Date.now(),
          pid: process.pid,
          type: 'usage',
          bytes: u.bytes,
          entries: u.entries,
          maxBytes: u.budget?.maxBytes?.limit ?? null,
          availableBytes: u.volume?.availableBytes ?? null,
        });
      } catch (error) {
        log('no usage sample: %s', (error as Error).message);
      }
    }
    this.flushSync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.clear();
    for (const d of this.detachers.splice(0)) d();
    open.delete(this);
    await this.flush();
  }
}

const inactive: HistoryRecorder = { flush: () => Promise.resolve(), close: () => Promise.resolve() };

/**
 * Records the cache's activity in <cache dir>/history/. A cache that is switched off or
 * read-only records nothing (the returned recorder does nothing).
 */
export function attachHistory(cache: ModelCache, options: HistoryOptions = {}): HistoryRecorder {
  const o = expectPlainObject(options ?? {}, 'options') as HistoryOptions;
  rejectUnknownOptions(o as Record<string, unknown>, OPTIONS, 'attachHistory()');
  const intervalMs = o.intervalMs === undefined ? 60_000 : expectIntegerInRange(o.intervalMs, 'options.intervalMs', 10);
  const usageIntervalMs = o.usageIntervalMs === undefined ? 600_000 : expectIntegerInRange(o.usageIntervalMs, 'options.usageIntervalMs', 0);
  const segmentBytes =
    o.segmentBytes === undefined ? DEFAULT_SEGMENT_BYTES : expectIntegerInRange(o.segmentBytes, 'options.segmentBytes', 4096);
  const segments = o.segments === undefined ? DEFAULT_SEGMENTS : expectIntegerInRange(o.segments, 'options.segments', 2, 1000);
  if (!cache.enabled || cache.readOnly) return inactive;
  return new Recorder(cache, new HistoryWriter(cache.dir, { segmentBytes, segments }), intervalMs, usageIntervalMs);
}
