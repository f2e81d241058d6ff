// Removing old entries (another build, another device identity) whose twin exists: what
// `rewarm --prune-old` and `ovcache prune --stale` do. Only those: an entry of the loaded build,
// and an old entry with no twin yet (not rewarmed, its model gone, ...) stay. Removal goes
// through the one eviction driver, so an entry a live process holds or loads is skipped.
//
// "Old" means OLDER than the loaded build: a machine still on (or rolled back to) an older build
// that shares the folder sees the newer build's entries as "another build" with a twin, and must
// not remove them. Same build, other device identity (a driver update): removed once twinned,
// as no order between two identities is known. A build number that cannot be ordered stays.
import { named, runEviction } from '../cache/eviction/driver';
import type { LocalModelCache } from '../cache/model-cache';
import type { ScannedEntry } from '../cache/scan';
import { parseBuildNumber } from '../runtime/version';
import { planRewarm } from './plan';

/** major, minor, patch, then the build's own number ("2025.4.0-20398-abc": 20398), or null. */
function buildOrder(buildNumber: string): number[] | null {
  try {
    const v = parseBuildNumber(buildNumber);
    const build = /^[^-]*-(\d+)/.exec(buildNumber.trim());
    return [v.major, v.minor, v.patch, build ? Number(build[1]) : 0];
  } catch {
    return null;
  }
}

/** True when `entryBuild` is the loaded build, or one known to be older. */
export function isPrunableBuild(entryBuild: string | null, loadedBuild: string): boolean {
  if (entryBuild === loadedBuild) return true; // other device identity only
  const a = entryBuild === null ? null : buildOrder(entryBuild);
  const b = buildOrder(loadedBuild);
  if (a === null || b === null) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  return false; // same numbers, other spelling: no known order
}

export interface PruneReport {
  removed: Array<{ name: string; key: string | null; model: string | null; bytes: number }>;
  /** Held by a live process, already gone, or failed: left in place. */
  skipped: Array<{ name: string; status: string; message: string }>;
  bytesFreed: number;
}

export async function pruneTwinned(cache: LocalModelCache, options: { dryRun?: boolean } = {}): Promise<PruneReport> {
  const plan = await planRewarm(cache);
  const loaded = cache.runtime.version.buildNumber;
  const older: ScannedEntry[] = plan.twinned.filter((e) => isPrunableBuild(e.buildNumber, loaded));
  const outcome = await runEviction({
    cacheDir: cache.dir,
    entries: older,
    select: named(older),
    dryRun: Boolean(options.dryRun),
  });
  return {
    removed: outcome.removed.map((r) => ({ name: r.entry.name, key: r.entry.key, model: r.entry.model, bytes: r.bytes })),
    skipped: outcome.skipped.map((s) => ({ name: s.entry.name, status: s.status, message: s.message })),
    bytesFreed: outcome.bytesFreed,
  };
}
