// What the history observes of a cache: its public face only (ModelCache satisfies it). The
// history follows the cache's events ('hit', 'compile', 'error', 'budget') and reads stats()
// and usage(); it never imports the cache class, so the cache can start it without a circle.
import type { CacheStats } from '../cache/stats';
import type { CacheUsage } from '../cache/budget/status';

export interface ObservedCache {
  readonly dir: string;
  readonly enabled: boolean;
  readonly readOnly: boolean;
  stats(): CacheStats;
  usage(): Promise<CacheUsage>;
}

/** The event emitter side of an observed cache (ModelCache is an EventEmitter). */
export const emitterOf = (cache: ObservedCache): NodeJS.EventEmitter => cache as unknown as NodeJS.EventEmitter;
