// The manifest updates after loads, in the background: last-used time, hit count and warm
// loads after a hit (throttled), and the entry's files after OpenVINO recompiled an entry that
// looked complete. The load stage only notes a load; updates run under the entry's lock
// (never waiting for it) and are tracked, so flush() and dispose() can wait for them.
// (A fill writes its entry's manifests itself: fill-writes.ts.)
import { LRUCache } from 'lru-cache';
import { logger } from '../../log';
import { roundMs, timingsOf, withWarmLoads, WARM_SAMPLES, type EntryTimings } from '../policy/timings';
import { isBlobName, lockPathOf, type CacheLayout } from './layout';
import { listEntryFiles, sumBytes } from './fill-writes';
import { acquireLock, tryAcquireLock } from './lock';
import { readManifest, writeManifest, type EntryManifest } from './manifest';

const log = logger('cache');

/** Entries whose last touch time is remembered; a forgotten one is simply touched again. */
const MAX_TOUCHED = 10_000;

export interface ManifestWriterOptions {
  layout: CacheLayout;
  staleLockMs: number;
  /** Last-used time and hit count are written at most this often per entry. */
  touchIntervalMs: number;
  /** Given an entry's timings with new warm loads (the caching policy): returns the timings to write. */
  review?: (key: string, manifest: EntryManifest, timings: EntryTimings) => Promise<EntryTimings>;
}

/** A load through an entry, as the load stage saw it; the writer records it in the background. */
export interface LoadNote {
  key: string;
  entryDir: string;
  /** How long OpenVINO took. */
  ms: number;
  /** OpenVINO loaded the entry's blob (a hit); false: it compiled although the entry looked complete. */
  fromBlob: boolean;
  /** The load was timed alone (no other compile in this process): a warm-load sample for the policy. */
  alone: boolean;
}

export class ManifestWriter {
  private readonly pendingHits = new Map<string, { hits: number; importMs: number; entryDir: string; warm: number[] }>();
  private readonly lastTouch = new LRUCache<string, number>({ max: MAX_TOUCHED });
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: ManifestWriterOptions) {}

  /**
   * Takes up a load's record (the load stage only notes it and returns the model): a hit becomes a
   * throttled touch, a recompile a refresh of the entry's files. Never throws and never waits for
   * a lock.
   */
  noteLoad(n: LoadNote): void {
    if (n.fromBlob) this.scheduleTouch(n.key, n.entryDir, n.ms, n.alone ? n.ms : undefined);
    else this.scheduleRefresh(n.key, n.entryDir, n.ms);
  }

  /** Throttled: last-used time, hit count and warm loads (`warmMs`: a load timed alone) go to the manifest at most once per interval. */
  private scheduleTouch(key: string, entryDir: string, importMs: number, warmMs?: number): void {
    const pending = this.pendingHits.get(key) ?? { hits: 0, importMs, entryDir, warm: [] };
    pending.hits++;
    pending.importMs = importMs;
    if (warmMs !== undefined) pending.warm = [...pending.warm, warmMs].slice(-WARM_SAMPLES);
    this.pendingHits.set(key, pending);
    const now = Date.now();
    const last = this.lastTouch.get(key);
    if (last !== undefined && now - last < this.options.touchIntervalMs) return;
    this.lastTouch.set(key, now);
    // Begun on the next turn of the event loop: the caller has its model first (the lock and its
    // module are not on a warm start's path). flush() still finds it: it is tracked now.
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.touch(key)));
  }

  /** OpenVINO compiled although the entry looked complete (a blob was removed or rejected): record what is there now. */
  private scheduleRefresh(key: string, entryDir: string, compileMs: number): void {
    this.track(
      this.underLock(key, 0, async () => {
        const read = await readManifest(entryDir);
        if (read.status !== 'ok') return;
        const files = await listEntryFiles(entryDir);
        // Invariant: `origin` is kept. Files that arrived with the entry (a bundle, a tier) may
        // still lie beside the new blob, so it stays an entry this process did not verify and a
        // signer never vouches for it (lib/trust/vouch.ts).
        await writeManifest(entryDir, {
          ...read.manifest,
          files,
          bytes: sumBytes(files),
          complete: files.some((f) => isBlobName(f.name)),
          compileMs: roundMs(compileMs),
          ...withRecompile(timingsOf(read.manifest.timings), compileMs),
          lastUsedAt: new Date().toISOString(),
        });
      }),
    );
  }

  /** Runs work in the background; its failure is logged, never thrown. */
  track(work: Promise<void>): void {
    const p = work.catch((error: Error) => log('background manifest update failed: %s', error.message));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /**
   * Waits for background updates, then writes the hits still pending, waiting for an entry's
   * lock held by another process (at most staleLockMs: a lock older than that is taken over),
   * so no counted hit is lost at dispose.
   */
  async flush(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    for (const key of [...this.pendingHits.keys()]) await this.touch(key, this.options.staleLockMs);
  }

  private touch(key: string, waitMs = 0): Promise<void> {
    return this.underLock(key, waitMs, async () => {
      const pending = this.pendingHits.get(key);
      if (!pending) return;
      const read = await readManifest(pending.entryDir);
      if (read.status !== 'ok' || read.manifest.key !== key) return;
      this.pendingHits.delete(key);
      const m = read.manifest;
      const added = withWarmLoads(timingsOf(m.timings), pending.warm);
      const timings = added && pending.warm.length > 0 && this.options.review ? await this.options.review(key, m, added) : added;
      await writeManifest(pending.entryDir, {
        ...m,
        hits: m.hits + pending.hits,
        lastUsedAt: new Date().toISOString(),
        importMs: roundMs(pending.importMs),
        ...(timings ? { timings } : {}),
      });
    });
  }

  /** The entry's lock, waited for up to waitMs (0: one attempt; busy means the update waits for the next chance). */
  private async underLock(key: string, waitMs: number, fn: () => Promise<void>): Promise<void> {
    const lockPath = lockPathOf(this.options.layout, key);
    const { staleLockMs } = this.options;
    const lock =
      waitMs > 0
        ? (await acquireLock(lockPath, { timeoutMs: waitMs, staleMs: staleLockMs }).catch(() => ({ lock: null }))).lock
        : await tryAcquireLock(lockPath, staleLockMs).catch(() => null);
    if (!lock) return;
    try {
      await fn();
    } finally {
      await lock.release();
    }
  }
}

/** After OpenVINO recompiled into the entry: that compile is the cold one now (its blob write not measured). */
function withRecompile(t: EntryTimings | undefined, compileMs: number): { timings?: EntryTimings } {
  return t ? { timings: { ...t, coldCompileMs: roundMs(compileMs), blobWriteMs: null } } : {};
}
