// The options of cache.compile() about waiting: `signal` ends the waits, `onProgress` hears
// the phases. Checked here; the compile paths get a CompileWaits.
import { invalidArgument } from '../../openvino/validate';
import { ProgressReporter, type CompileProgressListener } from '../progress/compile-progress';
import { expectAbortSignal } from './signal';

export interface CompileWaits {
  signal: AbortSignal | undefined;
  progress: ProgressReporter;
}

export const WAIT_OPTIONS = ['signal', 'onProgress'] as const;

export function resolveCompileWaits(options: { signal?: unknown; onProgress?: unknown }): CompileWaits {
  const signal = expectAbortSignal(options.signal, 'options.signal');
  const listener = options.onProgress;
  if (listener !== undefined && typeof listener !== 'function') throw invalidArgument('a function', 'options.onProgress', listener);
  return { signal, progress: new ProgressReporter(listener as CompileProgressListener | undefined) };
}
