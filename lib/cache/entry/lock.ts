// Per-entry cross-process lock (proper-lockfile: an atomic mkdir whose mtime the holder
// refreshes). A lock not refreshed for staleMs - its holder died or hangs - is taken over.
// Waiting is bounded: after timeoutMs the caller gets null and compiles without the cache
// rather than hang behind a stuck process.
import path from 'node:path';
import { properLockfile } from '../../deferred-deps';
import { errnoCode, isUnwritableError } from '../../fs/errno';
import { logger } from '../../log';
import { makeOwnerOnlyDir } from '../cache-dir';
import { sleepOrAbort } from '../abort/signal';

const log = logger('cache');

export interface EntryLock {
  readonly path: string;
  /** True if another process took the lock over while we held it (we were too slow to refresh it). */
  readonly compromised: boolean;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Give up waiting after this long; 0 = try once. */
  timeoutMs: number;
  /** A lock not refreshed for this long is stale. proper-lockfile's minimum is 2000. */
  staleMs: number;
  /** Stops waiting: the attempt rejects with the signal's reason, holding nothing. */
  signal?: AbortSignal | undefined;
  /** Called while waiting for another holder, with the time waited so far. */
  onWait?: ((waitedMs: number) => void) | undefined;
}

export interface LockAttempt {
  lock: EntryLock | null;
  waitedMs: number;
  /** True when the lock was held by someone else at first. */
  contended: boolean;
  /**
   * Set when no lock can be made at all (read-only file system, no permission, disk full): the
   * caller gets lock null at once, not after timeoutMs, and compiles without the cache.
   */
  unwritable?: string;
}

/** ModelCache's default staleLockMs, and the CLI's. */
export const DEFAULT_STALE_LOCK_MS = 10_000;

function tryLock(lockPath: string, staleMs: number, retried = false): Promise<EntryLock | null> {
  let compromised = false;
  return properLockfile()
    .lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: staleMs,
      update: Math.max(1000, Math.floor(staleMs / 2)),
      retries: 0,
      onCompromised: (error) => {
        // The default throws from a timer and kills the process; the compile goes on instead.
        compromised = true;
        log('lock %s compromised: %s', lockPath, error.message);
      },
    })
    .then(
      (unlock) => ({
        path: lockPath,
        get compromised() {
          return compromised;
        },
        release: async () => {
          if (compromised) return;
          try {
            await unlock();
          } catch (error) {
            log('releasing %s: %s', lockPath, (error as Error).message);
          }
        },
      }),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ELOCKED') return null;
        // The locks folder was removed under us (the cache was cleared): make it again, once.
        if (error.code === 'ENOENT' && !retried) {
          makeOwnerOnlyDir(path.dirname(lockPath));
          return tryLock(lockPath, staleMs, true);
        }
        throw error;
      },
    );
}

export async function acquireLock(lockPath: string, options: LockOptions): Promise<LockAttempt> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = 20;
  let contended = false;
  const { signal } = options;
  for (;;) {
    signal?.throwIfAborted();
    let lock: EntryLock | null;
    try {
      lock = await tryLock(lockPath, options.staleMs);
    } catch (error) {
      // The locks folder cannot be written: waiting would not help.
      if (!isUnwritableError(error)) throw error;
      const code = errnoCode(error) as string;
      log('cannot make lock %s (%s): the cache folder is not writable', lockPath, code);
      return { lock: null, waitedMs: Date.now() - started, contended, unwritable: code };
    }
    if (lock && signal?.aborted) await lock.release();
    signal?.throwIfAborted();
    if (lock) return { lock, waitedMs: Date.now() - started, contended };
    if (!contended) log('waiting for lock %s', lockPath);
    contended = true;
    options.onWait?.(Date.now() - started);
    const left = deadline - Date.now();
    if (left <= 0) return { lock: null, waitedMs: Date.now() - started, contended };
    await sleepOrAbort(Math.min(left, delay * (0.75 + Math.random() / 2)), signal);
    delay = Math.min(delay * 2, 250);
  }
}

/** One attempt, no waiting: for optional work such as updating last-used times. */
export async function tryAcquireLock(lockPath: string, staleMs: number): Promise<EntryLock | null> {
  return tryLock(lockPath, staleMs);
}
