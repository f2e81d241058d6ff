// The recorder behind attachHistory(): counts a cache's activity from its events and writes
// it to the folder's history, off the compile path (a listener only adds to counters; the
// writes run on an unref'd interval timer, at close(), or at process exit). Nothing is written
// for an interval without activity; a usage sample (a folder scan) is taken at most every
// usageIntervalMs, and only after activity.
// Only the cache's listeners hold the recorder strongly: a cache dropped without dispose() is
// collected with its recorder (its timer and the exit hook hold weak references).
import fs from 'node:fs';
import { logger } from '../log';
import { setLongInterval, type LongTimer } from '../timers/long-timer';
import { emitterOf, type ObservedBudget, type ObservedCache, type ObservedCompile } from './observed-cache';
import { HISTORY_FORMAT, type EvictRecord, type HistoryRecord, type IntervalRecord } from './records';
import type { HistoryWriter } from './writer';

const log = logger('history');

export interface HistoryRecorder {
  /** Writes what the current interval has so far (and a usage sample when one is due). */
  flush(): Promise<void>;
  /** Flushes and stops recording. */
  close(): Promise<void>;
}

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

/** Recorders not closed yet, flushed at process exit. Weak: a collected recorder leaves. */
const open = new Set<WeakRef<Recorder>>();
let exitHook = false;
function onExit(): void {
  for (const ref of open) ref.deref()?.flushSync();
}

/**
 * Flushes the recorder every intervalMs while it lives. Made out here: a closure made in the
 * constructor would share its context with the listeners and so hold the recorder strongly.
 * Any interval works: past 2^31-1 ms the wait goes in steps (lib/timers/long-timer.ts).
 */
function flushEvery(ref: WeakRef<Recorder>, intervalMs: number): LongTimer {
  const timer = setLongInterval(
    () => {
      const recorder = ref.deref();
      if (recorder) void recorder.flush();
      else timer.clear();
    },
    intervalMs,
    { unref: true },
  );
  return timer;
}

export class Recorder implements HistoryRecorder {
  private counts = zero();
  private active = false;
  private started = Date.now();
  private lastStats: ReturnType<ObservedCache['stats']>;
  private pending: HistoryRecord[] = [];
  private lastUsageAt = -Infinity;
  private activeSinceUsage = false;
  private readonly timer: LongTimer;
  private readonly detachers: Array<() => void> = [];
  private readonly ref = new WeakRef(this);
  private closed = false;

  /** `previous`: the recorder this one takes over from (its counts and pending records move here). */
  constructor(
    private readonly cache: ObservedCache,
    private readonly writer: HistoryWriter,
    intervalMs: number,
    private readonly usageIntervalMs: number,
    previous?: Recorder,
  ) {
    this.lastStats = cache.stats();
    if (previous) this.takeOver(previous);
    this.listen('hit', (e: ObservedCompile) => {
      this.counts.hits++;
      this.counts.loadMs += e.timings.compileMs;
      this.touch();
    });
    this.listen('compile', (e: ObservedCompile) => {
      if (e.cached) this.counts.misses++;
      else this.counts.uncached++;
      this.counts.compileMs += e.timings.compileMs;
      this.touch();
    });
    this.listen('error', () => {
      this.counts.errors++;
      this.touch();
    });
    this.listen('budget', (e: ObservedBudget) => this.onBudget(e));
    this.timer = flushEvery(this.ref, intervalMs);
    for (const r of open) if (!r.deref()) open.delete(r);
    open.add(this.ref);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', onExit);
    }
  }

  private takeOver(previous: Recorder): void {
    previous.stop();
    this.counts = previous.counts;
    this.active = previous.active;
    this.started = previous.started;
    this.lastStats = previous.lastStats;
    this.pending = previous.pending.splice(0);
    this.lastUsageAt = previous.lastUsageAt;
    this.activeSinceUsage = previous.activeSinceUsage;
  }

  private listen(event: 'hit' | 'compile' | 'error' | 'budget', fn: (e: never) => void): void {
    const emitter = emitterOf(this.cache);
    const listener = fn as (...args: unknown[]) => void;
    emitter.on(event, listener);
    this.detachers.push(() => emitter.off(event, listener));
  }

  private touch(): void {
    this.active = true;
    this.activeSinceUsage = true;
  }

  private onBudget(e: ObservedBudget): void {
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
    for (const r of e.removed ?? []) {
      const record: EvictRecord = {
        ...base,
        type: 'evict',
        name: r.name,
        model: r.model,
        device: r.device,
        bytes: r.bytes,
        reason: r.reason,
        trigger: e.trigger ?? '',
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

  /** Writes the interval and pending records; never creates the cache folder (one removed meanwhile gets no history). */
  flushSync(): void {
    const interval = this.takeInterval(Date.now());
    const records = [...this.pending.splice(0), ...(interval ? [interval] : [])];
    if (records.length === 0 || !fs.existsSync(this.cache.dir)) return;
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

  /** Stops listening and timing, writing nothing (a successor takes the counts, or close() writes them). */
  private stop(): void {
    this.closed = true;
    this.timer.clear();
    for (const d of this.detachers.splice(0)) d();
    open.delete(this.ref);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stop();
    await this.flush();
  }
}
