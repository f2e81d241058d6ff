// Where everything lives in a cache folder: the one place that builds these paths.
//
//   <dir>/CACHEDIR.TAG           standard tag: backup tools skip the folder
//   <dir>/entries/<entry>/       one folder per key: OpenVINO's CACHE_DIR for that compile,
//                                plus ovcache-entry.json (the manifest)
//   <dir>/fingerprints/          memoized file digests and model inputs (small JSON files)
//   <dir>/locks/<key>.lock       per-entry cross-process locks (proper-lockfile directories)
//   <dir>/trash/                 entries being deleted (renamed here first, then removed)
//   <dir>/history/               usage history, when attached (lib/history/records.ts)
import path from 'node:path';

export const CACHEDIR_TAG = 'CACHEDIR.TAG';
export const ENTRIES_DIR = 'entries';
export const FINGERPRINTS_DIR = 'fingerprints';
export const LOCKS_DIR = 'locks';
/** The folders the history (lib/history) and the result cache (lib/results) keep in the cache folder. */
export const HISTORY_DIR = 'history';
export const RESULTS_DIR = 'results';
export const TRASH_DIR = 'trash';
const LOCK_SUFFIX = '.lock';

export interface CacheLayout {
  root: string;
  entries: string;
  fingerprints: string;
  locks: string;
  trash: string;
}

export function cacheLayout(root: string): CacheLayout {
  const resolved = path.resolve(root);
  return {
    root: resolved,
    entries: path.join(resolved, ENTRIES_DIR),
    fingerprints: path.join(resolved, FINGERPRINTS_DIR),
    locks: path.join(resolved, LOCKS_DIR),
    trash: path.join(resolved, TRASH_DIR),
  };
}

/** The lock of an entry's key (a proper-lockfile directory). */
export function lockPathOf(layout: CacheLayout, key: string): string {
  return path.join(layout.locks, `${key}${LOCK_SUFFIX}`);
}

/** The key a lock file name stands for, or undefined for other names. */
export function keyOfLockName(name: string): string | undefined {
  return name.endsWith(LOCK_SUFFIX) ? name.slice(0, -LOCK_SUFFIX.length) : undefined;
}

/** A compiled blob OpenVINO wrote into an entry (what makes an entry loadable). */
export function isBlobName(name: string): boolean {
  return name.endsWith('.blob');
}

/**
 * The one rule for a file name read from a manifest, an index or a tier (never trusted): a name
 * of a file directly in a folder - no separators, not "." or "..", no control characters. Entry
 * manifests, bundles (pack, unpack) and remote manifests all check names with this function.
 */
export function isPlainFileName(name: unknown): name is string {
  // eslint-disable-next-line no-control-regex
  return typeof name === 'string' && name !== '.' && name !== '..' && name.length > 0 && !/[/\\\x00-\x1f]/.test(name);
}
