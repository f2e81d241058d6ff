// Keep-alive values as Ollama spells them: '5m', a number of ms, 0 (unload when idle), -1 (never).
import { OvcacheError } from '../errors';
import { parseDuration } from '../format/units';
import { describeValue } from '../openvino/validate';
import { setLongTimeout, type LongTimer, type TimerFunctions } from '../timers/long-timer';

export type KeepAlive = string | number;

/** Ollama's default: 5 minutes. */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

/** Milliseconds a model stays loaded once idle; Infinity for a negative value (never unloaded when idle). */
export function parseKeepAlive(value: unknown, name: string): number {
  if (typeof value === 'number' && value < 0) return Infinity;
  if (typeof value === 'string' && /^\s*-\d+(\.\d+)?\s*[a-zA-Z]*\s*$/.test(value)) return Infinity;
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new OvcacheError(
      'OVCACHE_BAD_DURATION',
      `Expected a keep-alive such as '5m', 0 or -1 (never unload) for ${name} but received ${describeValue(value)}`,
    );
  return parseDuration(value, name);
}

/**
 * One timer per loaded model: fires when the model has been idle for its keep-alive, however
 * long (a keep-alive past 2^31-1 ms waits in steps, lib/timers/long-timer.ts).
 */
export class IdleTimer {
  private timer: LongTimer | undefined;

  constructor(private readonly timers?: TimerFunctions) {}

  /** (Re)starts the clock; a keep-alive of Infinity never fires. */
  start(ms: number, onIdle: () => void): void {
    this.stop();
    if (ms === Infinity) return;
    // unref'd: an idle model does not keep the process alive
    this.timer = setLongTimeout(onIdle, ms, { unref: true, ...(this.timers ? { timers: this.timers } : {}) });
  }

  stop(): void {
    this.timer?.clear();
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }
}
