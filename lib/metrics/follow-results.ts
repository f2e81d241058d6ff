// Follows one ResultCache: lookup and evict events feed counters; entries, bytes and the time
// saved are read from stats() at scrape time.
import type { ResultCache, ResultEvictEvent, ResultLookupEvent } from '../results/index';
import type { MetricSet } from './definitions';
import type { Incrementable, Tally } from './tally';

export class ResultsFollower {
  private readonly detachers: Array<() => void> = [];
  private readonly children = new Map<string, Incrementable>();
  private lastTimeSavedMs = 0;

  constructor(
    readonly results: ResultCache,
    m: MetricSet,
    tally: Tally,
  ) {
    /** Label children looked up once per label set, as in the other followers. */
    const child = (id: string, make: () => Incrementable): Incrementable => {
      let c = this.children.get(id);
      if (!c) this.children.set(id, (c = make()));
      return c;
    };
    const onLookup = (e: ResultLookupEvent) =>
      tally.inc(child(`lookup\0${e.outcome}\0${e.tier}`, () => m.resultLookups.labels(e.outcome, e.tier)));
    const onEvict = (e: ResultEvictEvent) =>
      tally.inc(
        child(`evict\0${e.reason}\0${e.tier}`, () => m.resultEvictions.labels(e.reason, e.tier)),
        e.count,
      );
    results.on('lookup', onLookup);
    results.on('evict', onEvict);
    this.detachers.push(
      () => results.off('lookup', onLookup),
      () => results.off('evict', onEvict),
    );
    this.lastTimeSavedMs = results.stats().timeSavedMs;
  }

  entries(): number {
    return this.results.stats().entries;
  }

  bytes(): number {
    return this.results.stats().bytes;
  }

  /** Time saved since the previous call, ms. */
  timeSavedDelta(): number {
    const now = this.results.stats().timeSavedMs;
    const d = now - this.lastTimeSavedMs;
    this.lastTimeSavedMs = now;
    return d;
  }

  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }
}
