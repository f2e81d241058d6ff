// The caller's side of cache.compile({ signal }) (with raceAbort, signal.ts): the promise
// rejects as soon as the signal aborts. The work behind it stops at its next wait (a lock, another caller's compile, a
// tier) or, when OpenVINO is already compiling, runs to its end and fills the entry; the
// CompiledModel nobody takes is disposed when it arrives, so nothing leaks. A signal aborted
// already rejects at once and starts nothing.
import { logger } from '../../log';
import type { CompileResult } from '../compile-types';
import type { CacheStats } from '../stats';
import { abortReason } from './signal';

const log = logger('cache');

/** A signal aborted already: counted, and its reason thrown; the compile starts nothing. */
export function refuseIfAborted(signal: AbortSignal | undefined, counters: CacheStats): void {
  if (!signal?.aborted) return;
  counters.aborted++;
  throw abortReason(signal);
}

/** For raceAbort: a compile its caller gave up on is counted, and its CompiledModel disposed when it arrives. */
export function disposeWhenAbandoned(counters: CacheStats): (abandoned: Promise<CompileResult>) => void {
  return (abandoned) => {
    counters.aborted++;
    abandoned.then(
      (result) => {
        log('compile of %s finished after its caller gave up; disposing the compiled model', result.entryDir ?? 'a model');
        result.compiled.dispose();
      },
      () => undefined,
    );
  };
}
