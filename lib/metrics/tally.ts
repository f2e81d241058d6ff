// The warm path's side of the metrics: events add to plain counters and a buffer here, and
// prom-client sees them when a scrape collects (or when the buffer fills). A hit then costs a
// Map update and an array push, not prom-client's label hashing and bucket search.
export interface Incrementable {
  inc(n?: number): void;
}
export interface Observer {
  observe(value: number): void;
}

/** Observations buffered between scrapes, at most (pairs of histogram and value). */
const MAX_PENDING = 4096;

export class Tally {
  private readonly counts = new Map<Incrementable, number>();
  private readonly pending: Array<Observer | number> = [];

  inc(counter: Incrementable, n = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + n);
  }

  observe(histogram: Observer, value: number): void {
    this.pending.push(histogram, value);
    if (this.pending.length >= 2 * MAX_PENDING) this.flush();
  }

  /** Hands everything recorded so far to prom-client. */
  flush(): void {
    for (const [counter, n] of this.counts) counter.inc(n);
    this.counts.clear();
    const p = this.pending;
    for (let i = 0; i < p.length; i += 2) (p[i] as Observer).observe(p[i + 1] as number);
    p.length = 0;
  }
}
