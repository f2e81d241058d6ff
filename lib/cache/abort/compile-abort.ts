// The caller's side of cache.compile({ signal }): the promise rejects as soon as the signal
// aborts. The work behind it stops at its next wait (a lock, another caller's compile, a
// tier) or, when OpenVINO is already compiling, runs to its end and fills the entry; the
// CompiledModel nobody takes is disposed when it arrives, so nothing leaks. A signal aborted
// already rejects at once and starts nothing.
import { logger } from '../../log';
import type { CompileResult } from '../compile-types';
import type { CacheStats } from '../stats';
import { abortReason, raceAbort } from './signal';

const log = logger('cache');

export function abandonOnAbort(
  start: () => Promise<CompileResult>,
  signal: AbortSignal | undefined,
  counters: CacheStats,
): Promise<CompileResult> {
  if (signal?.aborted) {
    counters.aborted++;
    return Promise.reject(abortReason(signal));
  }
  return raceAbort(start(), signal, (abandoned) => {
    counters.aborted++;
    abandoned.then(
      (result) => {
        log('compile of %s finished after its caller gave up; disposing the compiled model', result.entryDir ?? 'a model');
        result.compiled.dispose();
      },
      () => undefined,
    );
  });
}
