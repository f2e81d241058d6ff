// One run per key in this process (as single-flight.ts), whose waits may be aborted: the run
// gets a signal that aborts only when every caller waiting on it gave up. An abandoned run is
// forgotten at once, so a caller that comes later starts a run of its own instead of joining
// one that is winding down (it then waits for the entry's lock like any other process).
import { SharedAbort } from './shared-abort';

interface Flight<V> {
  promise: Promise<V>;
  abort: SharedAbort;
}

export class AbortableFlights<K, V> {
  private readonly running = new Map<K, Flight<V>>();

  get size(): number {
    return this.running.size;
  }

  /** Joins the run for key, or starts fn; `leader` tells the caller which case it was. */
  run(key: K, signal: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<V>): { promise: Promise<V>; leader: boolean } {
    const existing = this.running.get(key);
    if (existing && existing.abort.join(signal)) return { promise: existing.promise, leader: false };
    const flight = {} as Flight<V>;
    flight.abort = new SharedAbort(() => this.forget(key, flight));
    flight.abort.join(signal);
    flight.promise = (async () => {
      try {
        return await fn(flight.abort.signal);
      } finally {
        flight.abort.settle();
        this.forget(key, flight);
      }
    })();
    if (!flight.abort.signal.aborted) this.running.set(key, flight);
    return { promise: flight.promise, leader: true };
  }

  private forget(key: K, flight: Flight<V>): void {
    if (this.running.get(key) === flight) this.running.delete(key);
  }
}
