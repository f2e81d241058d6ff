// Concurrent calls for one key share one run: the first caller starts it, later callers
// get the same promise until it settles.
export class SingleFlight<K, V> {
  private readonly running = new Map<K, Promise<V>>();

  /** The running promise for key, if any. */
  get(key: K): Promise<V> | undefined {
    return this.running.get(key);
  }

  get size(): number {
    return this.running.size;
  }

  /** Runs fn unless a run for key is in flight; `leader` tells the caller which case it was. */
  run(key: K, fn: () => Promise<V>): { promise: Promise<V>; leader: boolean } {
    const existing = this.running.get(key);
    if (existing) return { promise: existing, leader: false };
    const promise = (async () => {
      try {
        return await fn();
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, promise);
    return { promise, leader: true };
  }
}
