// A budget check every interval on an unref'd timer; a check still running is never doubled.
import { logger } from '../../log';

const log = logger('cache');

export class BudgetMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  start(intervalMs: number, check: () => Promise<unknown>): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      check()
        .catch((error: Error) => log('budget monitor: %s', error.message))
        .finally(() => {
          this.running = false;
        });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
