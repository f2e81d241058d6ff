// A budget check every interval on an unref'd timer; a check still running is never doubled.
// Any interval works: past 2^31-1 ms the wait goes in steps (lib/timers/long-timer.ts).
import { logger } from '../../log';
import { setLongInterval, type LongTimer, type TimerFunctions } from '../../timers/long-timer';

const log = logger('cache');

export class BudgetMonitor {
  private timer: LongTimer | undefined;
  private running = false;

  constructor(private readonly timers?: TimerFunctions) {}

  start(intervalMs: number, check: () => Promise<unknown>): void {
    this.stop();
    const options = { unref: true, ...(this.timers ? { timers: this.timers } : {}) };
    this.timer = setLongInterval(
      () => {
        if (this.running) return;
        this.running = true;
        check()
          .catch((error: Error) => log('budget monitor: %s', error.message))
          .finally(() => {
            this.running = false;
          });
      },
      intervalMs,
      options,
    );
  }

  stop(): void {
    this.timer?.clear();
    this.timer = undefined;
  }
}
