// The one eviction driver: ModelCache's budget, `ovcache prune`, `rm` and `clear` all remove
// entries through runEviction, so every caller gets the same protections: entries whose key is
// protected (compiling in this process, held by a registry) are never taken, and removeEntry
// skips entries locked by a live process or being loaded by one (entry/remove.ts).
//
// A pass: select what to remove from the remaining entries, remove it, and select again
// without the entries another process turned out to hold, so usage still gets under a limit.
import { mapPool } from '../../fs/pool';
import { removeEntry, type RemoveOptions, type RemoveResult } from '../entry/remove';
import type { ScannedEntry } from '../scan';
import { planEviction, type EvictionPolicy, type EvictionReason } from './plan';

export interface Removal<R extends string = EvictionReason> {
  entry: ScannedEntry;
  reason: R;
  bytes: number;
}

export interface SkippedRemoval<R extends string = EvictionReason> {
  entry: ScannedEntry;
  reason: R;
  /** locked: a live process holds or loads it; protected: held in this process; missing: already gone; error: removal failed. */
  status: 'locked' | 'protected' | 'missing' | 'error';
  message: string;
}

/** What a selector sees each round. */
export interface EvictionState {
  remaining: readonly ScannedEntry[];
  /** Bytes of the remaining entries. */
  usedBytes: number;
  /** Bytes freed by this pass so far. */
  freedBytes: number;
  protectedKeys: ReadonlySet<string>;
}

export type Selector<R extends string> = (state: EvictionState) => Array<{ entry: ScannedEntry; reason: R }>;

export interface EvictionRequest<R extends string> {
  cacheDir: string;
  /** The entries as scanned (scanCache). */
  entries: readonly ScannedEntry[];
  select: Selector<R>;
  /** Keys this process must keep (compiling, held by a registry). */
  protectedKeys?: Iterable<string>;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  staleLockMs?: number;
  /** Remove an entry without a valid manifest even when its folder is young (removeEntry's force). */
  force?: boolean;
  /** Removals at once. Default 8. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Injected for tests; default removeEntry. */
  remove?: (cacheDir: string, entryDir: string, options: RemoveOptions) => Promise<RemoveResult>;
}

export interface EvictionOutcome<R extends string> {
  /** In selection order. */
  removed: Array<Removal<R>>;
  skipped: Array<SkippedRemoval<R>>;
  bytesFreed: number;
  /** Entries never selected (removed, gone and held ones are not among them). */
  remaining: ScannedEntry[];
  /** Bytes still in entries: before, less what was removed or found gone. */
  usedBytes: number;
}

/** Selections per pass: the first, and re-plans after entries turned out held. */
const ROUNDS = 4;

export async function runEviction<R extends string>(request: EvictionRequest<R>): Promise<EvictionOutcome<R>> {
  const protectedKeys = new Set(request.protectedKeys ?? []);
  const remove = request.remove ?? removeEntry;
  const out: EvictionOutcome<R> = { removed: [], skipped: [], bytesFreed: 0, remaining: [...request.entries], usedBytes: 0 };
  out.usedBytes = request.entries.reduce((n, e) => n + e.bytes, 0);
  let done = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const chosen = request.select({ remaining: out.remaining, usedBytes: out.usedBytes, freedBytes: out.bytesFreed, protectedKeys });
    if (chosen.length === 0) break;
    const gone = new Set(chosen.map((c) => c.entry));
    if (request.dryRun) {
      for (const c of chosen) {
        out.removed.push({ ...c, bytes: c.entry.bytes });
        out.usedBytes -= c.entry.bytes;
        out.bytesFreed += c.entry.bytes;
      }
      out.remaining = out.remaining.filter((e) => !gone.has(e));
      break;
    }
    const total = done + chosen.length;
    const results = await mapPool(chosen, request.concurrency ?? 8, async (c): Promise<Removal<R> | SkippedRemoval<R>> => {
      const skip = (status: SkippedRemoval<R>['status'], message: string): SkippedRemoval<R> => ({ ...c, status, message });
      try {
        if (c.entry.key !== null && protectedKeys.has(c.entry.key)) return skip('protected', 'in use by this process');
        const r = await remove(request.cacheDir, c.entry.dir, {
          key: c.entry.key,
          bytes: c.entry.bytes,
          ...(request.staleLockMs !== undefined ? { staleLockMs: request.staleLockMs } : {}),
          ...(request.force ? { force: true } : {}),
        });
        if (r.status === 'removed') return { ...c, bytes: r.bytes };
        return skip(r.status, r.status === 'locked' ? r.reason : 'already removed');
      } catch (error) {
        return skip('error', (error as Error).message);
      } finally {
        request.onProgress?.(++done, total);
      }
    });
    let held = false;
    for (const r of results) {
      if (!('status' in r)) {
        out.removed.push(r);
        out.usedBytes -= r.entry.bytes;
        out.bytesFreed += r.bytes;
      } else if (r.status === 'missing') {
        out.usedBytes -= r.entry.bytes;
      } else {
        out.skipped.push(r);
        held = true;
      }
    }
    // Held entries stay on disk (and in usedBytes) but are no longer candidates.
    out.remaining = out.remaining.filter((e) => !gone.has(e));
    if (!held) break;
  }
  return out;
}

/**
 * Selection by the eviction rules (planEviction); `policy` may depend on the pass's progress.
 * Size limits apply to all the bytes still in entries: those of entries another process holds
 * (no longer candidates) are taken off the limits, so the rest gets under them.
 */
export function byPolicy(policy: (state: EvictionState) => Omit<EvictionPolicy, 'protectedKeys'>): Selector<EvictionReason> {
  return (state) => {
    const p = policy(state);
    const held = state.usedBytes - state.remaining.reduce((n, e) => n + e.bytes, 0);
    const minus = (limit: number | undefined) => (limit === undefined ? undefined : Math.max(0, limit - held));
    const maxBytes = minus(p.maxBytes);
    const lowWatermarkBytes = minus(p.lowWatermarkBytes);
    const limits = { ...(maxBytes !== undefined ? { maxBytes } : {}), ...(lowWatermarkBytes !== undefined ? { lowWatermarkBytes } : {}) };
    return planEviction(state.remaining, { ...p, ...limits, protectedKeys: state.protectedKeys }).remove.map((r) => ({
      entry: r.entry,
      reason: r.reason,
    }));
  };
}

/** Selection of named entries (rm, clear): each is tried once. */
export function named(entries: readonly ScannedEntry[]): Selector<'named'> {
  const wanted = new Set(entries);
  return (state) => state.remaining.filter((e) => wanted.has(e)).map((entry) => ({ entry, reason: 'named' as const }));
}
