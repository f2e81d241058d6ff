// AbortSignal helpers for the cache's waits: a wait ends at once when its signal aborts and
// rejects with `signal.reason` (an AbortError DOMException unless the caller gave a reason).
import { invalidArgument } from '../../openvino/validate';

export function expectAbortSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw invalidArgument('an AbortSignal', name, value);
}

/** The signal's reason, as `signal.throwIfAborted()` would throw it. */
export function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Whether `error` is what an aborted `signal` rejected with. */
export function isAbortOf(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal !== undefined && signal.aborted && error === abortReason(signal);
}

/** Waits ms, or rejects with the signal's reason as soon as it aborts. */
export function sleepOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles as `promise` does, or rejects with the signal's reason as soon as it aborts. Only
 * the wait ends: the work behind `promise` goes on; `onAbandoned` gets it to clean up after.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbandoned?: (work: Promise<T>) => void): Promise<T> {
  if (!signal) return promise;
  const abandon = () => {
    if (onAbandoned) onAbandoned(promise);
    else promise.catch(() => undefined);
  };
  if (signal.aborted) {
    abandon();
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      abandon();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
