// The phases of a compile (cache.compile's onProgress) as the label of a progress line:
// "mlp.xml: fingerprinting 42% (10.5 MB of 25 MB)", "... waiting for a lock 1.2 s", ...
import path from 'node:path';
import type { CompileProgress } from '../cache/progress/compile-progress';
import { formatBytes, formatDuration } from '../format/units';

export function phaseText(p: CompileProgress): string {
  switch (p.phase) {
    case 'fingerprint': {
      const pct = Math.floor((p.fraction ?? 0) * 100);
      return `fingerprinting ${pct}% (${formatBytes(p.done ?? 0)} of ${formatBytes(p.total ?? 0)})`;
    }
    case 'tier':
      return 'looking on the tiers';
    case 'lock-wait':
      return p.done ? `waiting for another compile ${formatDuration(p.done)}` : 'waiting for another compile';
    case 'compile':
      return 'compiling';
    case 'load':
      return 'loading from the cache';
    case 'write-entry':
      return 'writing the entry';
  }
}

/** "<model file>: <phase>" for a progress bar's label. */
export function modelPhaseText(model: string, p: CompileProgress): string {
  return `${path.basename(model)}: ${phaseText(p)}`;
}
