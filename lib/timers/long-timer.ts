// Timers for any duration. Node's setTimeout and setInterval take at most 2^31-1 ms (about
// 24.8 days); a longer delay is silently replaced by 1 ms, so a 30-day keep-alive would fire at
// once and a 30-day interval would run 1000 times a second. These helpers wait in steps of at
// most MAX_TIMER_MS until the deadline (measured on a monotonic clock); Infinity never fires.
import { performance } from 'node:perf_hooks';

/** The longest delay Node's timers honour (2^31-1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions used: Node's by default; tests inject fakes. */
export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): { unref(): unknown };
  clearTimeout(handle: { unref(): unknown }): void;
  /** A monotonic clock in ms. */
  now(): number;
}

export const NODE_TIMERS: TimerFunctions = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

export interface LongTimerOptions {
  /** Whether the timer lets the process exit while it waits (unref). Default true. */
  unref?: boolean;
  timers?: TimerFunctions;
}

export interface LongTimer {
  clear(): void;
}

/** Calls fn once, `ms` from now (any non-negative duration; Infinity: never). */
export function setLongTimeout(fn: () => void, ms: number, options: LongTimerOptions = {}): LongTimer {
  return new Chain(fn, ms, false, options);
}

/** Calls fn every `ms` (counted from the previous call), until cleared. Infinity: never. */
export function setLongInterval(fn: () => void, ms: number, options: LongTimerOptions = {}): LongTimer {
  return new Chain(fn, ms, true, options);
}

class Chain implements LongTimer {
  private handle: { unref(): unknown } | undefined;
  private deadline = 0;
  private cleared = false;
  private readonly timers: TimerFunctions;
  private readonly unref: boolean;

  constructor(
    private readonly fn: () => void,
    private readonly ms: number,
    private readonly repeat: boolean,
    options: LongTimerOptions,
  ) {
    if (!(ms >= 0)) throw new RangeError(`Expected a delay of 0 or more ms but received ${ms}`);
    this.timers = options.timers ?? NODE_TIMERS;
    this.unref = options.unref ?? true;
    this.arm();
  }

  clear(): void {
    this.cleared = true;
    if (this.handle) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(): void {
    if (this.cleared || this.ms === Infinity) return;
    this.deadline = this.timers.now() + this.ms;
    this.wait();
  }

  /** One step of at most MAX_TIMER_MS towards the deadline. */
  private wait(): void {
    const left = Math.max(0, this.deadline - this.timers.now());
    this.handle = this.timers.setTimeout(() => this.step(), Math.min(Math.ceil(left), MAX_TIMER_MS));
    if (this.unref) this.handle.unref();
  }

  private step(): void {
    this.handle = undefined;
    if (this.cleared) return;
    if (this.timers.now() < this.deadline) {
      this.wait();
      return;
    }
    if (this.repeat) this.arm();
    else this.cleared = true;
    this.fn();
  }
}
