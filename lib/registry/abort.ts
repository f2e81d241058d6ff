// AbortSignal helpers: a wait that ends at once when its signal aborts, with the signal's reason.
import { invalidArgument } from '../openvino/validate';

export function expectSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw invalidArgument('an AbortSignal', name, value);
}

/**
 * Resolves as `promise` does, or rejects with `signal.reason` as soon as the signal aborts.
 * Only the wait is abandoned: the work behind `promise` goes on.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
