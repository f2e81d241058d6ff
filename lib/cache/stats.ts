// Counters for cache.stats(). All are since the ModelCache was created (or stats were reset).
export interface CacheStats {
  /** Loads OpenVINO served from an entry (LOADED_FROM_CACHE = YES). */
  hits: number;
  /** Compiles that used an entry but had to compile (and filled the entry). */
  misses: number;
  /** Every real compilation: misses plus compiles without the cache. */
  compiles: number;
  /** Compiles that ran without the cache (switched off, read-only miss, lock timeout). */
  uncached: number;
  /** compile() calls that failed. */
  errors: number;
  /** Bytes added to entry folders by this process's compiles. */
  bytesWritten: number;
  /** Sum over hits of (entry's recorded compile time - this load's time), when positive. */
  timeSavedMs: number;
  /** Times a compile waited for another process's lock, and times it gave up waiting. */
  lockWaits: number;
  lockTimeouts: number;
  /** compile() calls whose signal aborted before they resolved (not counted in errors). */
  aborted: number;
}

export function emptyStats(): CacheStats {
  return {
    hits: 0,
    misses: 0,
    compiles: 0,
    uncached: 0,
    errors: 0,
    bytesWritten: 0,
    timeSavedMs: 0,
    lockWaits: 0,
    lockTimeouts: 0,
    aborted: 0,
  };
}
