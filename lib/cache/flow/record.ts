// The record stage: what a finished compile adds to the counters, the log and the cache's
// events (hit, miss, compile). History, metrics and the dashboard follow these events.
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { logger } from '../../log';
import type { Outcome } from '../compile-outcome';
import type { CacheEvent, ModelCacheEvents } from '../compile-types';
import type { CacheStats } from '../stats';

const log = logger('cache');

export function recordOutcome(
  events: EventEmitter<ModelCacheEvents>,
  counters: CacheStats,
  model: string,
  device: string,
  o: Outcome,
): void {
  const { key, entryDir, hit, cached, uncachedReason, timings } = o;
  const variant = o.variant ?? 'static';
  const event: CacheEvent = { model, device, key, entryDir, hit, cached, uncachedReason, timings, variant };
  const name = entryDir ? path.basename(entryDir) : path.basename(model);
  const ms = (n: number) => n.toFixed(1);
  if (cached && hit) {
    counters.hits++;
    counters.timeSavedMs += o.savedMs;
    log('hit %s: loaded in %s ms (fingerprint %s, total %s)', name, ms(timings.compileMs), ms(timings.fingerprintMs), ms(timings.totalMs));
    events.emit('hit', event);
    return;
  }
  counters.compiles++;
  if (cached) {
    counters.misses++;
    log('miss %s: compiled in %s ms', name, ms(timings.compileMs));
    events.emit('miss', event);
  } else {
    counters.uncached++;
    log('compiled %s without the cache (%s) in %s ms', name, uncachedReason, ms(timings.compileMs));
  }
  events.emit('compile', event);
}
