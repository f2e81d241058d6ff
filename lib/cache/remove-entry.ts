// Removing cache entries safely.
//
//   1. The path must resolve to a folder directly under <dir>/entries, and <dir>/entries must
//      not be a symlink: nothing else is ever removed (OVCACHE_UNSAFE_PATH otherwise).
//   2. The entry's lock is taken (no wait) so no process fills it meanwhile; a lock held by a
//      live process means "locked": the entry is skipped, not removed.
//   3. The folder is renamed to <dir>/trash/<name>.<pid>.<random> (same filesystem: atomic), so
//      a process that still has a blob mmapped keeps its mapping and no reader sees half a
//      folder; then the trash folder is deleted. fs.rm never follows symlinks: a link inside an
//      entry is unlinked, its target is untouched.
// Trash left by a crashed removal is cleaned by cleanTrash().
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { OvcacheError } from '../errors';
import { logger } from '../log';
import { cacheLayout, makeOwnerOnlyDir } from './cache-dir';
import { isKey, shortKey } from './key';
import { tryAcquireLock, type EntryLock } from './lock';
import { readManifest } from './manifest';
import { shortKeyOfEntryName } from './entry-name';
import { TRASH_DIR, treeBytes } from './scan';

const log = logger('cache');

/** ModelCache's default staleLockMs (lib/cache/options.ts). */
export const DEFAULT_STALE_LOCK_MS = 10_000;
/** A folder without a valid manifest younger than this may be a compile just starting: left alone. */
export const YOUNG_ENTRY_MS = 60_000;
/** Trash whose writer is alive is left to it, unless older than this. */
export const TRASH_GRACE_MS = 3_600_000;

export interface RemoveOptions {
  /** As ModelCache's staleLockMs: a lock not refreshed for this long is stale. Default 10000. */
  staleLockMs?: number;
  /** The entry's key, if the caller knows it (else read from the manifest or the locks folder). */
  key?: string | null;
  /** Bytes the entry holds, if known (else measured before deleting). */
  bytes?: number;
  /** Remove an entry with no valid manifest even if its folder is young. Default false. */
  force?: boolean;
  /**
   * Spare an entry a live process is loading right now (see beginLoad). Loads take no lock:
   * pulling the blob away mid-load would make OpenVINO compile the entry again. Default false.
   */
  spareLoading?: boolean;
  now?: number;
}

/** Each lock-free load holds one `.ovcache-loading.<pid>.<random>` file in the entry while it runs. */
export const LOADING_PREFIX = '.ovcache-loading.';

/** Written by an evictor (holding the entry's lock) before it looks for loaders. */
export const EVICTING_FILE = '.ovcache-evicting';

/**
 * Marks a lock-free load of this entry as running until the returned function is called.
 * Null when the load must not go ahead lock-free: the folder is gone or an evictor is at
 * work (the caller then takes the entry's lock instead).
 *
 * Handshake with removeEntry: the loader writes its marker, then looks for the evictor's;
 * the evictor writes its marker, then looks for loaders'. Whichever comes second sees the
 * other, so a blob is never pulled away under a load (which would make OpenVINO compile it
 * again into a folder no manifest describes). Crashed loaders' markers are ignored (dead pid).
 */
export function beginLoad(entryDir: string): (() => void) | null {
  // Synchronous on purpose: three small syscalls on every warm hit cost ~20 us this way and
  // several times that through the thread pool.
  const file = path.join(entryDir, `${LOADING_PREFIX}${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Gone: evicted a moment ago. Unwritable (a read-only volume): no evictor can remove it
    // either, so the load may go ahead unmarked.
    return code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? () => undefined : null;
  }
  const end = (): void => {
    try {
      fs.unlinkSync(file);
    } catch {
      // already gone with its folder
    }
  };
  if (fs.existsSync(path.join(entryDir, EVICTING_FILE))) {
    end();
    return null;
  }
  return end;
}

/** Under the entry's lock: an evictor's marker left by a crash is stale; remove it. */
export async function clearEvictingMarker(entryDir: string): Promise<void> {
  await fs.promises.unlink(path.join(entryDir, EVICTING_FILE)).catch(() => undefined);
}

/** Pids of live processes loading from `dir` now. */
async function liveLoaders(dir: string): Promise<number[]> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  const pids = names.filter((n) => n.startsWith(LOADING_PREFIX)).map((n) => Number(n.slice(LOADING_PREFIX.length).split('.')[0]));
  return pids.filter((pid) => Number.isInteger(pid) && pid > 0 && pidAlive(pid));
}

export type RemoveResult =
  | { status: 'removed'; name: string; bytes: number }
  /** Held by a live process (compiling or updating it), or too young to judge: left in place. */
  | { status: 'locked'; name: string; reason: string }
  /** Gone before we got to it (another process removed it). */
  | { status: 'missing'; name: string };

function unsafe(message: string): OvcacheError {
  return new OvcacheError('OVCACHE_UNSAFE_PATH', message);
}

/** The real path of <dir>/entries, refusing a symlinked or missing one. */
export async function entriesRoot(cacheDir: string): Promise<string> {
  const layout = cacheLayout(path.resolve(cacheDir));
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

export function lockPathOf(cacheDir: string, key: string): string {
  return path.join(cacheLayout(path.resolve(cacheDir)).locks, `${key}.lock`);
}

/** True while a live process holds the key's lock (proper-lockfile check, ModelCache's stale rule). */
export async function isEntryLocked(cacheDir: string, key: string, staleLockMs = DEFAULT_STALE_LOCK_MS): Promise<boolean> {
  const lockPath = lockPathOf(cacheDir, key);
  try {
    return await lockfile.check(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleLockMs });
  } catch {
    return false;
  }
}

/** Keys of lock files whose name starts with the entry folder's short key (when the manifest cannot say). */
async function keysFromLocks(cacheDir: string, name: string): Promise<string[]> {
  const short = shortKeyOfEntryName(name);
  if (!short) return [];
  const names = await fs.promises.readdir(cacheLayout(path.resolve(cacheDir)).locks).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.lock') && n.startsWith(short))
    .map((n) => n.slice(0, -'.lock'.length))
    .filter(isKey);
}

async function trashFolder(cacheDir: string): Promise<string> {
  const trash = path.join(path.resolve(cacheDir), TRASH_DIR);
  makeOwnerOnlyDir(trash);
  const stat = await fs.promises.lstat(trash);
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw unsafe(`${trash} is not a plain folder`);
  return trash;
}

/** Removes one entry folder (see the file comment). Never throws for a lock held or a vanished entry. */
export async function removeEntry(cacheDir: string, entryDir: string, options: RemoveOptions = {}): Promise<RemoveResult> {
  const staleMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  const name = path.basename(path.resolve(entryDir));
  let real: string;
  try {
    real = await checkEntryPath(cacheDir, entryDir);
  } catch (error) {
    if ((error as OvcacheError).code === 'OVCACHE_ENTRY_NOT_FOUND' && fs.existsSync(path.join(path.resolve(cacheDir), 'entries'))) {
      return { status: 'missing', name };
    }
    throw error;
  }

  let keys: string[];
  if (options.key) keys = [options.key];
  else {
    const read = await readManifest(real);
    keys = read.status === 'ok' ? [read.manifest.key] : await keysFromLocks(cacheDir, name);
    if (read.status !== 'ok' && !options.force) {
      // A compile creates the folder just before its first manifest: do not pull it away.
      const stat = await fs.promises.lstat(real).catch(() => null);
      if (stat && (options.now ?? Date.now()) - stat.mtimeMs < YOUNG_ENTRY_MS) {
        return { status: 'locked', name, reason: 'no valid manifest and changed less than a minute ago (a compile may be starting)' };
      }
    }
  }
  // Holding the lock while renaming: no process can start filling the entry meanwhile.
  const locks: EntryLock[] = [];
  try {
    if (keys.length > 0) makeOwnerOnlyDir(cacheLayout(path.resolve(cacheDir)).locks);
    for (const key of keys) {
      const lock = await tryAcquireLock(lockPathOf(cacheDir, key), staleMs).catch(() => null);
      if (!lock) return { status: 'locked', name, reason: `locked by another process (${shortKey(key)}.lock)` };
      locks.push(lock);
    }
    const spare = options.spareLoading === true && !options.force;
    if (spare) {
      await fs.promises.writeFile(path.join(real, EVICTING_FILE), String(process.pid), { mode: 0o600 });
      const loaders = await liveLoaders(real);
      if (loaders.length > 0) {
        await clearEvictingMarker(real);
        return { status: 'locked', name, reason: `being loaded by process ${loaders.join(', ')}` };
      }
    }
    const bytes = options.bytes ?? (await treeBytes(real));
    const trash = await trashFolder(cacheDir);
    const target = path.join(trash, `${name}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    try {
      await fs.promises.rename(real, target);
    } catch (error) {
      if (spare) await clearEvictingMarker(real);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', name };
      throw error;
    }
    await deleteTree(target);
    return { status: 'removed', name, bytes };
  } finally {
    for (const lock of locks) await lock.release();
  }
}

/** fs.rm: lstat-based, unlinks symlinks rather than following them. */
async function deleteTree(target: string): Promise<void> {
  try {
    await fs.promises.rm(target, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    // Left in trash/: the next cleanTrash() finishes it.
    log('cannot delete %s: %s', target, (error as Error).message);
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface TrashCleanup {
  removed: string[];
  bytes: number;
}

/**
 * Deletes leftovers in <dir>/trash: folders whose removing process is gone (name
 * "<entry>.<pid>.<random>"), or any older than an hour (another host's pid means nothing here).
 */
export async function cleanTrash(cacheDir: string, options: { now?: number } = {}): Promise<TrashCleanup> {
  const trash = path.join(path.resolve(cacheDir), TRASH_DIR);
  const out: TrashCleanup = { removed: [], bytes: 0 };
  const stat = await fs.promises.lstat(trash).catch(() => null);
  if (!stat?.isDirectory()) return out;
  const now = options.now ?? Date.now();
  for (const item of await fs.promises.readdir(trash)) {
    const full = path.join(trash, item);
    const pid = Number(/\.(\d+)\.[0-9a-f]{8}$/.exec(item)?.[1]);
    const itemStat = await fs.promises.lstat(full).catch(() => null);
    if (!itemStat) continue;
    const abandoned = !Number.isInteger(pid) || !pidAlive(pid) || now - itemStat.mtimeMs > TRASH_GRACE_MS;
    if (!abandoned) continue;
    const bytes = itemStat.isDirectory() ? await treeBytes(full) : itemStat.size;
    await deleteTree(full);
    out.removed.push(item);
    out.bytes += bytes;
  }
  return out;
}
