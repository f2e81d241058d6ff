// attachHistory(cache): records a cache's activity in its folder's history (recorder.ts).
// Every ModelCache follows its history by default (followHistory, called by the cache itself;
// `history: false` or OVCACHE_NO_HISTORY=1 turn it off): an attachHistory() on such a cache
// takes the default recorder over with its own options, so nothing is counted twice. At most
// one recorder follows a cache.
import { expectIntegerInRange, expectPlainObject, rejectUnknownOptions } from '../openvino/validate';
import type { ObservedCache } from './observed-cache';
import { Recorder, type HistoryRecorder } from './recorder';
import { DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENTS, HistoryWriter } from './writer';

export type { HistoryRecorder } from './recorder';

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

const OPTIONS = ['intervalMs', 'usageIntervalMs', 'segmentBytes', 'segments'] as const;

/** The recorder following each cache (weak: a cache dropped is not held here). */
const following = new WeakMap<ObservedCache, Recorder>();

const inactive: HistoryRecorder = { flush: () => Promise.resolve(), close: () => Promise.resolve() };

/**
 * Records the cache's activity in <cache dir>/history/. A cache that is switched off or
 * read-only records nothing (the returned recorder does nothing). A recorder already following
 * the cache (its default one, or an earlier attachHistory) hands its counts to this one and stops.
 */
export function attachHistory(cache: ObservedCache, options: HistoryOptions = {}): HistoryRecorder {
  const o = expectPlainObject(options ?? {}, 'options') as HistoryOptions;
  rejectUnknownOptions(o as Record<string, unknown>, OPTIONS, 'attachHistory()');
  const intervalMs = o.intervalMs === undefined ? 60_000 : expectIntegerInRange(o.intervalMs, 'options.intervalMs', 10);
  const usageIntervalMs = o.usageIntervalMs === undefined ? 600_000 : expectIntegerInRange(o.usageIntervalMs, 'options.usageIntervalMs', 0);
  const segmentBytes =
    o.segmentBytes === undefined ? DEFAULT_SEGMENT_BYTES : expectIntegerInRange(o.segmentBytes, 'options.segmentBytes', 4096);
  const segments = o.segments === undefined ? DEFAULT_SEGMENTS : expectIntegerInRange(o.segments, 'options.segments', 2, 1000);
  if (!cache.enabled || cache.readOnly) return inactive;
  const recorder = new Recorder(
    cache,
    new HistoryWriter(cache.dir, { segmentBytes, segments }),
    intervalMs,
    usageIntervalMs,
    following.get(cache),
  );
  following.set(cache, recorder);
  return recorder;
}

/** The default: a ModelCache calls this when it is created (unless its history is switched off). */
export function followHistory(cache: ObservedCache): void {
  attachHistory(cache);
}

/** Writes and stops whatever recorder follows the cache (ModelCache.dispose() calls it). */
export async function stopHistory(cache: ObservedCache): Promise<void> {
  const recorder = following.get(cache);
  following.delete(cache);
  await recorder?.close();
}
