// What the history observes of a cache: its public face only, as the history reads it
// (ModelCache satisfies it). The history follows the cache's events ('hit', 'compile', 'error',
// 'budget') and reads stats() and usage(); it imports nothing of lib/cache, so the cache can
// start it (the history sits below the cache, an observer that knows only these shapes).

/** What the history reads of a 'hit' or 'compile' event (CacheEvent). */
export interface ObservedCompile {
  /** false: compiled without the cache. */
  cached: boolean;
  timings: { compileMs: number };
}

/** What the history reads of a 'budget' event (BudgetEvent). */
export interface ObservedBudget {
  kind: string;
  usedBytes: number;
  entries: number;
  maxBytes: number | null;
  availableBytes: number | null;
  /** With kind 'evicted'. */
  trigger?: string;
  removed?: ReadonlyArray<{ name: string; model: string | null; device: string | null; bytes: number; reason: string }>;
}

export interface ObservedCache {
  readonly dir: string;
  readonly enabled: boolean;
  readonly readOnly: boolean;
  /** Counters since creation (CacheStats). */
  stats(): { timeSavedMs: number; bytesWritten: number };
  /** The folder as scanned (CacheUsage). */
  usage(): Promise<{
    bytes: number;
    entries: number;
    budget?: { maxBytes?: { limit: number } | null } | null;
    volume?: { availableBytes: number } | null;
  }>;
}

/** The event emitter side of an observed cache (ModelCache is an EventEmitter). */
export const emitterOf = (cache: ObservedCache): NodeJS.EventEmitter => cache as unknown as NodeJS.EventEmitter;
