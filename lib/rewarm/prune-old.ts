// Removing old entries (another build, another device identity) whose twin exists: what
// `rewarm --prune-old` and `ovcache prune --stale` do. Only those: an entry of the loaded build,
// and an old entry with no twin yet (not rewarmed, its model gone, ...) stay. Removal goes
// through the one eviction driver, so an entry a live process holds or loads is skipped.
import { named, runEviction } from '../cache/eviction/driver';
import type { ModelCache } from '../cache/model-cache';
import { planRewarm } from './plan';

export interface PruneReport {
  removed: Array<{ name: string; key: string | null; model: string | null; bytes: number }>;
  /** Held by a live process, already gone, or failed: left in place. */
  skipped: Array<{ name: string; status: string; message: string }>;
  bytesFreed: number;
}

export async function pruneTwinned(cache: ModelCache, options: { dryRun?: boolean } = {}): Promise<PruneReport> {
  const plan = await planRewarm(cache);
  const outcome = await runEviction({
    cacheDir: cache.dir,
    entries: plan.twinned,
    select: named(plan.twinned),
    dryRun: Boolean(options.dryRun),
  });
  return {
    removed: outcome.removed.map((r) => ({ name: r.entry.name, key: r.entry.key, model: r.entry.model, bytes: r.bytes })),
    skipped: outcome.skipped.map((s) => ({ name: s.entry.name, status: s.status, message: s.message })),
    bytesFreed: outcome.bytesFreed,
  };
}
