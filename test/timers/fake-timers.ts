// Fake timers for lib/timers/long-timer.ts that behave as Node's do: a delay past 2^31-1 ms
// becomes 1 ms (Node prints TimeoutOverflowWarning and fires at once). Time moves only with advance().
import type { TimerFunctions } from '../../lib/timers/long-timer';

interface Pending {
  at: number;
  fn: () => void;
  unrefd: boolean;
  cleared: boolean;
}

export class FakeTimers implements TimerFunctions {
  private clock = 0;
  private pending: Pending[] = [];
  /** Every delay asked for, as given. */
  readonly requested: number[] = [];

  setTimeout(fn: () => void, ms: number): { unref(): unknown } {
    this.requested.push(ms);
    const delay = ms > 2 ** 31 - 1 || !(ms >= 1) ? 1 : ms; // Node's overflow rule
    const p: Pending = { at: this.clock + delay, fn, unrefd: false, cleared: false };
    this.pending.push(p);
    return {
      unref: () => {
        p.unrefd = true;
        return p;
      },
      ...{ p },
    };
  }

  clearTimeout(handle: { unref(): unknown }): void {
    (handle as unknown as { p: Pending }).p.cleared = true;
  }

  now(): number {
    return this.clock;
  }

  /** Timers still waiting, and whether each is unref'd. */
  waiting(): Array<{ in: number; unrefd: boolean }> {
    return this.pending.filter((p) => !p.cleared).map((p) => ({ in: p.at - this.clock, unrefd: p.unrefd }));
  }

  /** Moves the clock by ms, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.clock + ms;
    for (;;) {
      const due = this.pending.filter((p) => !p.cleared && p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.clock = due.at;
      due.cleared = true;
      this.pending = this.pending.filter((p) => p !== due);
      due.fn();
    }
    this.clock = end;
  }
}
