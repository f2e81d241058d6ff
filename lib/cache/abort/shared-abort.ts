// A signal for work that several callers wait on (one compile per key, one model load): it
// aborts only when every caller that joined has given up. A caller without a signal never
// gives up, so the work then runs to its end. settle() drops the listeners on the callers'
// signals, so a long-lived signal passed to many calls does not collect them.
import { abortReason } from './signal';

export class SharedAbort {
  private readonly controller = new AbortController();
  private waiting = 0;
  private settled = false;
  private readonly listeners: Array<() => void> = [];

  /** @param onAbandoned called once, when the last waiter gives up (before the signal aborts). */
  constructor(private readonly onAbandoned?: () => void) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Counts one more caller until its signal aborts; false when the work was already abandoned (not joined). */
  join(signal: AbortSignal | undefined): boolean {
    if (this.controller.signal.aborted || this.settled) return !this.controller.signal.aborted;
    this.waiting++;
    if (!signal) return true;
    const leave = () => {
      if (this.settled || --this.waiting > 0) return;
      this.onAbandoned?.();
      this.controller.abort(abortReason(signal));
    };
    if (signal.aborted) leave();
    else {
      signal.addEventListener('abort', leave, { once: true });
      this.listeners.push(() => signal.removeEventListener('abort', leave));
    }
    return !this.controller.signal.aborted;
  }

  /** The work ended: later aborts of the callers' signals change nothing. */
  settle(): void {
    this.settled = true;
    for (const remove of this.listeners.splice(0)) remove();
  }
}
