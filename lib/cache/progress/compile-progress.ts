// Progress of one cache.compile(): phases in the order they happen and, where there is one, a
// fraction. A miss goes fingerprint -> [tier] -> [lock-wait] -> compile -> write-entry; a hit
// fingerprint -> load. OpenVINO reports nothing while it compiles or loads, so those phases
// have no fraction. Reports are throttled; a listener that throws is logged, not fatal.
import { logger } from '../../log';

const log = logger('cache');

/**
 * fingerprint: hashing the model files (done/total bytes); tier: looking for the entry on the
 * tiers or waiting for another machine's compile; lock-wait: waiting for another process (or
 * another call in this one) compiling the same entry (done = ms waited); compile: OpenVINO
 * compiles; load: OpenVINO loads the entry's blob; write-entry: the manifest is written.
 */
export type CompilePhase = 'fingerprint' | 'tier' | 'lock-wait' | 'compile' | 'load' | 'write-entry';

export interface CompileProgress {
  phase: CompilePhase;
  /** fingerprint: bytes hashed so far; lock-wait: ms waited so far. */
  done?: number;
  /** fingerprint: bytes of the model files. */
  total?: number;
  /** fingerprint: done / total, from 0 to 1 (the last report of the phase is 1). */
  fraction?: number;
}

export type CompileProgressListener = (progress: CompileProgress) => void;

/** Reports within a phase come at most this often (besides its first and last). */
export const PROGRESS_INTERVAL_MS = 100;
/** ... or when the fraction moved this much. */
const PROGRESS_STEP = 0.05;

export class ProgressReporter {
  private current: CompilePhase | undefined;
  private lastAt = 0;
  private lastFraction = 0;

  constructor(private readonly listener: CompileProgressListener | undefined) {}

  get active(): boolean {
    return this.listener !== undefined;
  }

  /** A phase begins (reported once per phase change). */
  phase(phase: CompilePhase, extra: Omit<CompileProgress, 'phase'> = {}): void {
    if (!this.listener || this.current === phase) return;
    this.current = phase;
    this.lastFraction = 0;
    this.emit({ phase, ...extra });
  }

  /** Bytes hashed of the model files; the report with done === total always goes out. */
  fingerprint(done: number, total: number): void {
    if (!this.listener) return;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    if (this.current !== 'fingerprint') {
      this.phase('fingerprint', { done, total, fraction });
      this.lastFraction = fraction;
      if (fraction < 1) return;
    }
    const final = fraction >= 1;
    if (final && this.lastFraction >= 1 && this.lastAt > 0) return;
    if (!final && performance.now() - this.lastAt < PROGRESS_INTERVAL_MS && fraction - this.lastFraction < PROGRESS_STEP) return;
    this.lastFraction = fraction;
    this.emit({ phase: 'fingerprint', done, total, fraction });
  }

  /** Time waited so far in a waiting phase (throttled). */
  waited(phase: 'lock-wait' | 'tier', ms: number): void {
    if (!this.listener) return;
    if (this.current !== phase) {
      this.phase(phase, { done: Math.round(ms) });
      return;
    }
    if (performance.now() - this.lastAt < PROGRESS_INTERVAL_MS) return;
    this.emit({ phase, done: Math.round(ms) });
  }

  private emit(progress: CompileProgress): void {
    this.lastAt = performance.now();
    try {
      (this.listener as CompileProgressListener)(progress);
    } catch (error) {
      log('onProgress listener threw: %s', (error as Error).message);
    }
  }
}
