// What a ResultCache tells: its events, its stats() shape, and what getOrCompute and explain answer.
import type { ResultKeyParts } from './key';
import type { StoreCounters, StoredEntry } from './store-records';
import type { ResultValue } from './value';

export type ResultTier = 'local' | 'redis';

export interface ResultLookupEvent {
  outcome: 'hit' | 'miss' | 'bypass' | 'expired';
  /** Where the answer came from (hit), or the last tier asked (miss, expired). */
  tier: ResultTier;
  /** Time of the lookup itself (not of any compute). */
  ms: number;
  /** '' for a bypass. */
  key: string;
}

export interface ResultEvictEvent {
  /** ttl: expired; count / bytes: the LRU limits; files: a referenced file was gone or changed. */
  reason: 'ttl' | 'count' | 'bytes' | 'files';
  count: number;
  tier: ResultTier;
}

export interface ResultRedisEvent {
  state: 'down' | 'up';
  error?: string;
}

export interface ResultCacheErrorEvent {
  /** What failed: writing to the embedded store, or reading from it. */
  operation: 'set' | 'get' | 'touch';
  key: string;
  error: Error;
}

export interface ResultCacheEvents {
  lookup: [ResultLookupEvent];
  evict: [ResultEvictEvent];
  redis: [ResultRedisEvent];
  /** A store failure the request survived. Emitted only when someone listens. */
  error: [ResultCacheErrorEvent];
}

/** Counters since this ResultCache was created, plus the embedded store's size and lifetime totals. */
export interface ResultCacheStats {
  hits: number;
  misses: number;
  bypasses: number;
  /** Lookups that found an entry past its TTL (each is also a miss). */
  expired: number;
  /** Entries removed by this process's writes: LRU count and byte limits, TTL sweeps, changed files. */
  evicted: number;
  /** Entries and bytes in the embedded store now (0 without one). */
  entries: number;
  bytes: number;
  /** hits / (hits + misses); 0 before any lookup. */
  hitRate: number;
  /** Sum over hits of the compute time recorded with the entry. */
  timeSavedMs: number;
  localHits: number;
  redisHits: number;
  /** getOrCompute calls that waited for the same key's compute in this process (counted as hits). */
  joined: number;
  /** 'off' without Redis. */
  redis: 'off' | 'up' | 'down' | 'connecting';
  /** The embedded store's counters over every process that used it (null without one). */
  lifetime: StoreCounters | null;
}

export interface GetOrComputeResult {
  value: ResultValue;
  outcome: 'hit' | 'miss' | 'bypass';
  /** '' for a bypass. */
  key: string;
}

export interface ResultKeyExplanation {
  key: string;
  /** What the key is the hash of; null when this process never made the key and no stored entry has it. */
  parts: ResultKeyParts | null;
  lines: string[];
  /** The embedded store's entry for the key, if any. */
  entry: StoredEntry | null;
}
