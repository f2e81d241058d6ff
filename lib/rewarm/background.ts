// new ModelCache({ rewarm: 'background' }): an observer of the cache's events. When a compile
// fills the twin of an old entry (the service met only other-build entries for what it asked,
// and compiled as usual), the other old entries are rewarmed in idle time: one compile at a
// time, each started only once no compile() is in flight and no hit or miss came for IDLE_MS;
// dispose() stops it (the compile running finishes, none starts after). The package's ModelCache
// (lib/model-cache.ts) starts it; lib/cache never imports lib/rewarm.
import type { CacheEvent } from '../cache/compile-types';
import type { LocalModelCache } from '../cache/model-cache';
import { logger } from '../log';
import { planRewarm } from './plan';
import { rewarm } from './rewarm';

const log = logger('rewarm');

/** Quiet time (no hit, no miss, no compile in flight) before each background compile. */
export const IDLE_MS = 1000;
const POLL_MS = 100;

export class BackgroundRewarm {
  private readonly stopper = new AbortController();
  private lastActivity = Date.now();
  /** Keys this rewarm is compiling: their events are not the service's activity. */
  private readonly own = new Set<string>();
  private running: Promise<void> | undefined;
  private pending = false;
  private readonly onHit = (e: CacheEvent): void => {
    this.noteActivity(e);
  };
  private readonly onMiss = (e: CacheEvent): void => {
    if (this.noteActivity(e) && e.key) this.maybeStart(e.key);
  };

  constructor(private readonly cache: LocalModelCache) {
    cache.on('hit', this.onHit);
    cache.on('miss', this.onMiss);
  }

  /** True when the event is the service's, not this rewarm's own compile. */
  private noteActivity(e: CacheEvent): boolean {
    if (e.key !== null && this.own.has(e.key)) return false;
    this.lastActivity = Date.now();
    return true;
  }

  private maybeStart(key: string): void {
    if (this.stopper.signal.aborted) return;
    if (this.running) {
      this.pending = true; // planned again once the current pass ends
      return;
    }
    this.running = this.pass(key)
      .catch((error: unknown) => log('background rewarm failed: %s', (error as Error).message))
      .finally(() => {
        this.running = undefined;
        if (this.pending && !this.stopper.signal.aborted) {
          this.pending = false;
          this.maybeStart('');
        }
      });
  }

  /** Resolves once the service has been quiet for IDLE_MS with no compile in flight (or on stop). */
  private async idle(): Promise<void> {
    while (!this.stopper.signal.aborted && (this.cache.activeCompiles > 0 || Date.now() - this.lastActivity < IDLE_MS)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
    }
  }

  private async pass(trigger: string): Promise<void> {
    await this.idle();
    if (this.stopper.signal.aborted) return;
    const plan = await planRewarm(this.cache);
    // Only when the service met the old build: the compile it just made is an old entry's twin.
    const metOldBuild = trigger === '' || plan.skipped.some((s) => s.reason === 'rewarmed' && s.detail === trigger);
    if (!metOldBuild || plan.items.length === 0) return;
    for (const item of plan.items) this.own.add(item.twinKey);
    log('rewarming %d entries of another build in the background', plan.items.length);
    const report = await rewarm(this.cache, { signal: this.stopper.signal, beforeEach: () => this.idle() });
    log('background rewarm: %d rewarmed, %d failed', report.rewarmed, report.failed);
  }

  async stop(): Promise<void> {
    this.stopper.abort(new Error('the ModelCache was disposed'));
    this.cache.off('hit', this.onHit);
    this.cache.off('miss', this.onMiss);
    await this.running;
  }
}
