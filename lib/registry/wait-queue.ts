// Callers waiting for a free resource: highest priority first, first come first served within
// a priority, at most `max` waiting (more: OVCACHE_QUEUE_FULL at once), each wait abortable.
import { OvcacheError } from '../errors';

interface Waiter<T> {
  priority: number;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

export class WaitQueue<T> {
  private readonly waiters: Array<Waiter<T>> = [];

  constructor(
    private readonly max: number,
    private readonly label: string,
  ) {}

  get length(): number {
    return this.waiters.length;
  }

  wait(signal: AbortSignal | undefined, priority = 0): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.waiters.length >= this.max) {
      return Promise.reject(
        new OvcacheError('OVCACHE_QUEUE_FULL', `The queue of ${this.label} is full (${this.max} waiting; option maxQueue)`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { priority, resolve, reject, cleanup: () => undefined };
      if (signal) {
        const onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      // Behind every waiter of the same or a higher priority.
      let at = this.waiters.findIndex((w) => w.priority < priority);
      if (at < 0) at = this.waiters.length;
      this.waiters.splice(at, 0, waiter);
    });
  }

  /** Gives `value` to the first waiter; false when nobody waits. */
  handOff(value: T): boolean {
    const waiter = this.waiters.shift();
    if (!waiter) return false;
    waiter.cleanup();
    waiter.resolve(value);
    return true;
  }

  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }
}
