// Reads a cache folder's history (every process's records, every segment) and sums intervals
// into buckets for charts. Lines that are not records (a torn tail, another format) are skipped
// and counted.
import fs from 'node:fs';
import path from 'node:path';
import { HISTORY_DIR, parseRecord, type EvictRecord, type IntervalRecord, type UsageRecord } from './records';
import { listSegments, segmentFile } from './writer';

export interface History {
  intervals: IntervalRecord[];
  usage: UsageRecord[];
  evictions: EvictRecord[];
  /** Lines that were not records. */
  skipped: number;
  /** Size of the segments read. */
  bytes: number;
}

export interface ReadHistoryOptions {
  /** Only records at or after this time (epoch ms). */
  since?: number;
}

/** Everything the history of a cache folder holds, each kind ordered by time. */
export function readHistory(cacheDir: string, options: ReadHistoryOptions = {}): History {
  const dir = path.join(cacheDir, HISTORY_DIR);
  const since = options.since ?? -Infinity;
  const h: History = { intervals: [], usage: [], evictions: [], skipped: 0, bytes: 0 };
  for (const n of listSegments(dir)) {
    let text: string;
    try {
      text = fs.readFileSync(segmentFile(dir, n), 'utf8');
    } catch {
      continue; // rotated away meanwhile
    }
    h.bytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const r = parseRecord(line);
      if (!r) h.skipped++;
      else if (r.t < since) continue;
      else if (r.type === 'interval') h.intervals.push(r);
      else if (r.type === 'usage') h.usage.push(r);
      else h.evictions.push(r);
    }
  }
  const byTime = (a: { t: number }, b: { t: number }) => a.t - b.t;
  h.intervals.sort(byTime);
  h.usage.sort(byTime);
  h.evictions.sort(byTime);
  return h;
}

export interface HistoryBucket {
  /** Start of the bucket (epoch ms). */
  t: number;
  hits: number;
  misses: number;
  uncached: number;
  errors: number;
  savedMs: number;
  compileMs: number;
  /** hits / (hits + misses + uncached); null without compiles. */
  hitRate: number | null;
}

/** Intervals of all processes summed into buckets of bucketMs, from `from` to `to` (empty buckets included). */
export function bucketIntervals(intervals: readonly IntervalRecord[], from: number, to: number, bucketMs: number): HistoryBucket[] {
  const start = Math.floor(from / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((to - start) / bucketMs));
  const buckets: HistoryBucket[] = Array.from({ length: count }, (_, i) => ({
    t: start + i * bucketMs,
    hits: 0,
    misses: 0,
    uncached: 0,
    errors: 0,
    savedMs: 0,
    compileMs: 0,
    hitRate: null,
  }));
  for (const r of intervals) {
    const b = buckets[Math.floor((r.t - start) / bucketMs)];
    if (!b) continue;
    b.hits += r.hits;
    b.misses += r.misses;
    b.uncached += r.uncached;
    b.errors += r.errors;
    b.savedMs += r.savedMs;
    b.compileMs += r.compileMs;
  }
  for (const b of buckets) {
    const n = b.hits + b.misses + b.uncached;
    b.hitRate = n > 0 ? b.hits / n : null;
  }
  return buckets;
}
