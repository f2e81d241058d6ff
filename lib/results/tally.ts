// A ResultCache's counts: what stats() says for this instance, and the same lookups queued
// for the store's lifetime counters. Invariant: every lookup counted here is added to the
// store by the next batch (at most batchMs later, or at flush()), hits of entries removed
// meanwhile included, so the store's lookup counters are the sum of every instance's.
import type { ResultTier } from './events';
import type { LookupCounts } from './store-records';

export interface InstanceCounters {
  hits: number;
  misses: number;
  bypasses: number;
  expired: number;
  evicted: number;
  timeSavedMs: number;
  localHits: number;
  redisHits: number;
  joined: number;
}

/** One batch for the store: hits per key in order of last use, and the lookup counts. */
export interface LookupBatch {
  touches: Map<string, number>;
  counts: LookupCounts;
}

export class Tally {
  readonly counters: InstanceCounters = {
    hits: 0,
    misses: 0,
    bypasses: 0,
    expired: 0,
    evicted: 0,
    timeSavedMs: 0,
    localHits: 0,
    redisHits: 0,
    joined: 0,
  };
  private touches = new Map<string, number>();
  private counts: Required<LookupCounts> = { hits: 0, misses: 0, bypasses: 0, timeSavedMs: 0 };
  private timer: NodeJS.Timeout | undefined;

  /** onBatchDue: called once a batch is due (batchMs after the first count queued). */
  constructor(
    private readonly batchMs: number,
    private readonly onBatchDue: () => void,
  ) {}

  /** A hit; a local hit's key moves to the end, so the batch keeps the order of last use. */
  hit(tier: ResultTier, computeMs: number, key?: string): void {
    this.counters.hits++;
    this.counters[tier === 'local' ? 'localHits' : 'redisHits']++;
    this.counters.timeSavedMs += computeMs;
    this.counts.hits++;
    this.counts.timeSavedMs += computeMs;
    if (key !== undefined) {
      const n = this.touches.get(key) ?? 0;
      this.touches.delete(key);
      this.touches.set(key, n + 1);
    }
    this.schedule();
  }

  /** A getOrCompute that waited for this process's compute of the same key: a hit. */
  joined(): void {
    this.counters.joined++;
    this.counters.hits++;
    this.counts.hits++;
    this.schedule();
  }

  miss(expired: boolean): void {
    this.counters.misses++;
    if (expired) this.counters.expired++;
    this.counts.misses++;
    this.schedule();
  }

  bypass(): void {
    this.counters.bypasses++;
    this.counts.bypasses++;
    this.schedule();
  }

  /** Entries this instance removed (the store counts its own removals itself). */
  evicted(count: number): void {
    this.counters.evicted += count;
  }

  /** What is queued, taken out of the queue; undefined when nothing is. */
  take(): LookupBatch | undefined {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { counts, touches } = this;
    if (touches.size === 0 && counts.hits === 0 && counts.misses === 0 && counts.bypasses === 0) return undefined;
    this.touches = new Map();
    this.counts = { hits: 0, misses: 0, bypasses: 0, timeSavedMs: 0 };
    return { touches, counts };
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(this.onBatchDue, this.batchMs);
    this.timer.unref();
  }
}
