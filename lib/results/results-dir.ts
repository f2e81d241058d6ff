// Preparing the results folder: created owner-only (0700, or 2770 with shared: 'group'); an
// existing one is held to the cache folder's rule (cache-dir.ts checkFolderSecurity): refused
// with OVCACHE_CACHE_DIR_INSECURE when another user could write into it, since a value planted
// there would be served as a result. blobs/ and the database files must not be symlinks.
import fs from 'node:fs';
import path from 'node:path';
import { checkFolderSecurity, checkRootSymlink, insecure, makeOwnerOnlyDir, type FolderRole, type SharedMode } from '../cache/cache-dir';
import { OvcacheError } from '../errors';
import { errnoCode, isReadOnlyError } from '../fs/errno';

export const BLOBS_DIR = 'blobs';
export const DATABASE_FILE = 'results.mdb';

const ROLE: FolderRole = { folder: 'Results folder', holds: 'a stored result' };

function invalid(dir: string, why: string, cause?: unknown): OvcacheError {
  return new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Results folder ${dir} ${why}; choose another dir`, cause ? { cause } : undefined);
}

/** Creates or checks the results folder and its blobs/ folder; throws coded errors only. */
export function prepareResultsDir(dir: string, shared: SharedMode): void {
  checkRootSymlink(dir, ROLE);
  try {
    makeOwnerOnlyDir(dir, shared);
  } catch (error) {
    if (isReadOnlyError(error))
      throw new OvcacheError(
        'OVCACHE_CACHE_READ_ONLY',
        `Cannot create results folder ${dir} (${errnoCode(error)}); choose a writable dir`,
        {
          cause: error,
        },
      );
    throw invalid(dir, `cannot be created (${(error as Error).message})`, error);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    throw invalid(dir, `cannot be read (${(error as Error).message})`, error);
  }
  if (!stat.isDirectory()) throw invalid(dir, 'exists but is not a folder');
  checkFolderSecurity(dir, stat, shared, ROLE);
  for (const name of [BLOBS_DIR, DATABASE_FILE, `${DATABASE_FILE}-lock`]) {
    const full = path.join(dir, name);
    const st = fs.lstatSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) throw insecure(full, 'is a symlink', `Remove it; ovcache creates ${name} itself.`, ROLE);
    if (name === BLOBS_DIR) {
      if (!st.isDirectory()) throw invalid(full, 'exists but is not a folder');
      checkFolderSecurity(full, st, shared, ROLE);
    }
  }
}

/** The mode a results folder was made with (2770: 'group'), for tools that open an existing one (the CLI). */
export function sharedModeOnDisk(dir: string): SharedMode {
  const mode = fs.statSync(dir, { throwIfNoEntry: false })?.mode ?? 0;
  return (mode & 0o2000) !== 0 && (mode & 0o070) === 0o070 ? 'group' : 'owner';
}

/**
 * Runs `open` (LMDB creates results.mdb and its lock file 0664 less the umask) so that with
 * shared: 'group' both files come out group-writable (0660): every member of the group must
 * take the lock and write. The files this process owns are chmod'ed after, in case they were
 * made earlier (or the umask cannot be set: worker threads).
 */
export function openDatabaseFiles<T>(dir: string, shared: SharedMode, open: () => T): T {
  if (shared !== 'group') return open();
  let previous: number | undefined;
  try {
    previous = process.umask(0o007);
  } catch {
    previous = undefined; // worker thread: the chmod below still applies to the files made here
  }
  try {
    return open();
  } finally {
    if (previous !== undefined) process.umask(previous);
    const uid = process.getuid?.();
    for (const name of [DATABASE_FILE, `${DATABASE_FILE}-lock`]) {
      const full = path.join(dir, name);
      const st = fs.lstatSync(full, { throwIfNoEntry: false });
      if (st?.isFile() && st.uid === uid && (st.mode & 0o060) !== 0o060) fs.chmodSync(full, (st.mode & 0o7777 & ~0o007) | 0o060);
    }
  }
}
