// Every tier call runs under a deadline: a tier that hangs costs at most that long, never a
// failed compile. The operation gets an AbortSignal; if it ignores it, the race still ends.
// A caller's own signal ends the race too, with the caller's reason.
import { OvcacheError } from '../errors';

export class TierTimeoutError extends OvcacheError {
  constructor(what: string, ms: number) {
    super('OVCACHE_TIER_UNAVAILABLE', `${what} did not answer within ${ms} ms`);
    this.name = 'TierTimeoutError';
  }
}

export async function withDeadline<T>(
  what: string,
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
  caller?: AbortSignal,
): Promise<T> {
  caller?.throwIfAborted();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TierTimeoutError(what, ms));
    }, ms);
    timer.unref();
    onAbort = () => {
      controller.abort(caller?.reason);
      reject(caller?.reason as Error);
    };
    caller?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort) caller?.removeEventListener('abort', onAbort);
  }
}
