// Removing one cache entry safely. Every removal goes through removeEntry (through the
// eviction driver, eviction/driver.ts), so every caller gets the same protections:
//
//   1. The path must resolve to a folder directly under <dir>/entries, and <dir>/entries must
//      not be a symlink: nothing else is ever removed (OVCACHE_UNSAFE_PATH otherwise).
//   2. The entry's lock is taken (no wait): a lock held by a live process (compiling or
//      updating the entry) means "locked": the entry is skipped, not removed.
//   3. A live process loading the entry lock-free (load-marker.ts) also means "locked".
//   4. The folder is renamed into the trash and deleted there (trash.ts). fs.rm never follows
//      symlinks: a link inside an entry is unlinked, its target is untouched.
import fs from 'node:fs';
import path from 'node:path';
import { properLockfile } from '../../deferred-deps';
import { OvcacheError } from '../../errors';
import { treeBytes } from '../../fs/dir-size';
import { errnoCode } from '../../fs/errno';
import { makeOwnerOnlyDir } from '../cache-dir';
import { isKey, shortKey } from '../key';
import { cacheLayout, keyOfLockName, lockPathOf } from './layout';
import { clearEvictingMarker, markEvicting } from './load-marker';
import { DEFAULT_STALE_LOCK_MS, tryAcquireLock, type EntryLock } from './lock';
import { readManifest } from './manifest';
import { shortKeyOfEntryName } from './name';
import { deleteTree, trashTarget } from './trash';

/** A folder without a valid manifest younger than this may be a compile just starting: left alone. */
export const YOUNG_ENTRY_MS = 60_000;

export interface RemoveOptions {
  /** As ModelCache's staleLockMs: a lock not refreshed for this long is stale. Default 10000. */
  staleLockMs?: number;
  /** The entry's key, if the caller knows it (else read from the manifest or the locks folder). */
  key?: string | null;
  /** Bytes the entry holds, if known (else measured before deleting). */
  bytes?: number;
  /** Remove an entry with no valid manifest even if its folder is young. Default false. */
  force?: boolean;
  now?: number;
}

export type RemoveResult =
  | { status: 'removed'; name: string; bytes: number }
  /** Held by a live process (compiling, updating or loading it), or too young to judge: left in place. */
  | { status: 'locked'; name: string; reason: string }
  /** Gone before we got to it (another process removed it). */
  | { status: 'missing'; name: string };

function unsafe(message: string): OvcacheError {
  return new OvcacheError('OVCACHE_UNSAFE_PATH', message);
}

/** The real path of <dir>/entries, refusing a symlinked or missing one. */
export async function entriesRoot(cacheDir: string): Promise<string> {
  const layout = cacheLayout(cacheDir);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(layout.entries);
  } catch (error) {
    throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No entries folder in ${layout.root}`, { cause: error });
  }
  if (stat.isSymbolicLink()) throw unsafe(`${layout.entries} is a symlink; ovcache removes nothing through it`);
  if (!stat.isDirectory()) throw unsafe(`${layout.entries} is not a folder`);
  return fs.promises.realpath(layout.entries);
}

/**
 * Checks that entryDir is a real folder directly under <cacheDir>/entries and returns its
 * real path. Throws OVCACHE_ENTRY_NOT_FOUND if it does not exist, OVCACHE_UNSAFE_PATH otherwise.
 */
export async function checkEntryPath(cacheDir: string, entryDir: string): Promise<string> {
  const root = await entriesRoot(cacheDir);
  const given = path.resolve(entryDir);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(given);
  } catch (error) {
    throw new OvcacheError('OVCACHE_ENTRY_NOT_FOUND', `No cache entry at ${given}`, { cause: error });
  }
  if (stat.isSymbolicLink()) throw unsafe(`${given} is a symlink, not a cache entry`);
  if (!stat.isDirectory()) throw unsafe(`${given} is not a folder`);
  const real = await fs.promises.realpath(given);
  const name = path.basename(real);
  if (path.dirname(real) !== root || name === '' || name === '.' || name === '..') {
    throw unsafe(`${given} is not directly under ${root}`);
  }
  return real;
}

/** True while a live process holds the key's lock (proper-lockfile check, ModelCache's stale rule). */
export async function isEntryLocked(cacheDir: string, key: string, staleLockMs = DEFAULT_STALE_LOCK_MS): Promise<boolean> {
  const lockPath = lockPathOf(cacheLayout(cacheDir), key);
  try {
    return await properLockfile().check(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleLockMs });
  } catch {
    return false;
  }
}

/** Keys of lock files whose name starts with the entry folder's short key (when the manifest cannot say). */
async function keysFromLocks(cacheDir: string, name: string): Promise<string[]> {
  const short = shortKeyOfEntryName(name);
  if (!short) return [];
  const names = await fs.promises.readdir(cacheLayout(cacheDir).locks).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(short))
    .map(keyOfLockName)
    .filter((k): k is string => k !== undefined && isKey(k));
}

/** The keys whose locks guard the entry; a 'locked' result when it is too young to judge. */
async function keysOf(cacheDir: string, real: string, name: string, options: RemoveOptions): Promise<string[] | RemoveResult> {
  if (options.key) return [options.key];
  const read = await readManifest(real);
  if (read.status === 'ok') return [read.manifest.key];
  if (!options.force) {
    // A compile creates the folder just before its first manifest: do not pull it away.
    const stat = await fs.promises.lstat(real).catch(() => null);
    if (stat && (options.now ?? Date.now()) - stat.mtimeMs < YOUNG_ENTRY_MS) {
      return { status: 'locked', name, reason: 'no valid manifest and changed less than a minute ago (a compile may be starting)' };
    }
  }
  return keysFromLocks(cacheDir, name);
}

/** Removes one entry folder (see the file comment). Never throws for a lock held or a vanished entry. */
export async function removeEntry(cacheDir: string, entryDir: string, options: RemoveOptions = {}): Promise<RemoveResult> {
  const staleMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  const layout = cacheLayout(cacheDir);
  const name = path.basename(path.resolve(entryDir));
  let real: string;
  try {
    real = await checkEntryPath(cacheDir, entryDir);
  } catch (error) {
    if ((error as OvcacheError).code === 'OVCACHE_ENTRY_NOT_FOUND' && fs.existsSync(layout.entries)) return { status: 'missing', name };
    throw error;
  }
  const keys = await keysOf(cacheDir, real, name, options);
  if (!Array.isArray(keys)) return keys;
  // Holding the lock while renaming: no process can start filling the entry meanwhile.
  const locks: EntryLock[] = [];
  try {
    if (keys.length > 0) makeOwnerOnlyDir(layout.locks);
    for (const key of keys) {
      const lock = await tryAcquireLock(lockPathOf(layout, key), staleMs).catch(() => null);
      if (!lock) return { status: 'locked', name, reason: `locked by another process (${shortKey(key)}.lock)` };
      locks.push(lock);
    }
    const bytes = options.bytes ?? (await treeBytes(real));
    const loaders = await markEvicting(real);
    if (loaders.length > 0) return { status: 'locked', name, reason: `being loaded by process ${loaders.join(', ')}` };
    const target = await trashTarget(cacheDir, name);
    try {
      await fs.promises.rename(real, target);
    } catch (error) {
      await clearEvictingMarker(real);
      if (errnoCode(error) === 'ENOENT') return { status: 'missing', name };
      throw error;
    }
    await deleteTree(target);
    return { status: 'removed', name, bytes };
  } finally {
    for (const lock of locks) await lock.release();
  }
}
