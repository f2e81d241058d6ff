// Creating the cache folder safely (its layout: entry/layout.ts).
//
// Folders ovcache creates are owner-only (0700). An existing folder someone else can write into
// (world-writable, owned by another user, group-writable) is refused with
// OVCACHE_CACHE_DIR_INSECURE - anyone could plant a compiled blob in it - unless the user opted
// into a group-shared cache (shared: 'group', folders 2770, as ccache documents). A folder made
// inside a group-shared one (setgid, group-writable) is group-shared too: the mode follows the
// folder on disk, not a setting of this process.
import fs from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../errors';
import { isReadOnlyError, errnoCode } from '../fs/errno';
import { cacheLayout, CACHEDIR_TAG, ENTRIES_DIR, FINGERPRINTS_DIR, LOCKS_DIR, type CacheLayout } from './entry/layout';

export const CACHEDIR_TAG_CONTENT =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by ovcache.\n' +
  '# For information about cache directory tags, see:\n' +
  '#\thttps://bford.info/cachedir/\n';

/**
 * Who may share the folder. 'owner' (default): folders 0700, and an existing folder must be owned
 * by this user and writable by nobody else. 'group' (as ccache documents for shared caches):
 * folders 2770 (setgid, so everything inside keeps the folder's group), and an existing folder
 * may be owned by another member of its group and be group-writable, if this process is in
 * that group. A world-writable folder is refused in both modes.
 */
export type SharedMode = 'owner' | 'group';

export interface CacheDirOptions {
  shared?: SharedMode;
}

/** The mode a new folder inside `parent` gets: group-shared inside a group-shared folder. */
export function inheritedMode(parent: string): SharedMode {
  try {
    const mode = fs.statSync(parent).mode;
    return (mode & 0o2000) !== 0 && (mode & 0o070) === 0o070 ? 'group' : 'owner';
  } catch {
    return 'owner';
  }
}

export function folderModeFor(mode: SharedMode): number {
  return mode === 'group' ? 0o2770 : 0o700;
}

/**
 * mkdir -p where every folder created gets mode 0700, or 2770 in group mode (given, else
 * inherited from the parent); umask cannot widen or narrow it.
 */
export function makeOwnerOnlyDir(dir: string, shared?: SharedMode): void {
  const parent = path.dirname(dir);
  if (!fs.existsSync(dir)) {
    if (parent !== dir && !fs.existsSync(parent)) makeOwnerOnlyDir(parent);
    const mode = folderModeFor(shared ?? inheritedMode(parent));
    try {
      fs.mkdirSync(dir, { mode });
      if (process.platform !== 'win32') fs.chmodSync(dir, mode);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
  }
}

function memberOf(gid: number): boolean {
  if (typeof process.getegid !== 'function') return false;
  return gid === process.getegid() || (process.getgroups?.() ?? []).includes(gid);
}

/** What a refused folder is, for the message: "Cache folder" holding "a compiled model" by default. */
export interface FolderRole {
  folder: string;
  holds: string;
  /** Accept a folder owned by root too (a shared tier baked into an image): root can change this process anyway. */
  trustRoot?: boolean;
}

const CACHE_ROLE: FolderRole = { folder: 'Cache folder', holds: 'a compiled model' };

export function insecure(root: string, why: string, fix: string, role: FolderRole = CACHE_ROLE): OvcacheError {
  return new OvcacheError(
    'OVCACHE_CACHE_DIR_INSECURE',
    `${role.folder} ${root} ${why}, so someone else could plant ${role.holds} in it. ${fix}`,
  );
}

/**
 * Refuses a folder another user could write into: world-writable; owned by another user; or
 * group-writable - unless shared is 'group' and this process is in the folder's group.
 * The one rule for every folder ovcache reads trusted bytes from (cache, results, shared tiers).
 */
export function checkFolderSecurity(folder: string, stat: Stats, shared: SharedMode, role: FolderRole = CACHE_ROLE): void {
  if (process.platform === 'win32' || typeof process.geteuid !== 'function') return;
  const inGroup = shared === 'group' && memberOf(stat.gid);
  const refuse = (why: string, fix: string): OvcacheError => insecure(folder, why, fix, role);
  if ((stat.mode & 0o002) !== 0) {
    throw refuse('is writable by every user', `Run "chmod o-w ${folder}" or choose another folder.`);
  }
  const trustedOwner = stat.uid === process.geteuid() || (role.trustRoot === true && stat.uid === 0);
  if (!trustedOwner && !inGroup) {
    throw refuse(
      `is owned by another user (uid ${stat.uid})`,
      shared === 'group'
        ? `In shared: 'group' mode this process must be in the folder's group (gid ${stat.gid}).`
        : `Use a folder of your own, or shared: 'group' for a folder shared with a group you are in.`,
    );
  }
  if ((stat.mode & 0o020) !== 0 && !inGroup) {
    throw refuse(
      `is writable by its group (gid ${stat.gid})`,
      shared === 'group'
        ? `In shared: 'group' mode this process must be in that group.`
        : `Run "chmod g-w ${folder}", or pass shared: 'group' to share the cache with that group.`,
    );
  }
}

/**
 * A folder path that is a symlink is followed only when the link itself is owned by this user or
 * root (as the kernel's protected_symlinks): another user's link in /tmp could point this
 * process at a folder it would then write into. Refused with OVCACHE_CACHE_DIR_INSECURE.
 */
export function checkRootSymlink(root: string, role: FolderRole = CACHE_ROLE): void {
  if (process.platform === 'win32' || typeof process.geteuid !== 'function') return;
  let link: Stats | undefined;
  try {
    link = fs.lstatSync(root, { throwIfNoEntry: false });
  } catch {
    return; // below a file (ENOTDIR) or unreadable: the caller's own checks say what is wrong
  }
  if (!link?.isSymbolicLink()) return;
  if (link.uid === process.geteuid() || link.uid === 0) return;
  throw insecure(
    root,
    `is a symlink owned by another user (uid ${link.uid})`,
    `Use the folder it points to (${fs.readlinkSync(root)}) directly if you trust it, or remove the link.`,
    role,
  );
}

function checkExistingRoot(root: string, shared: SharedMode): void {
  checkRootSymlink(root);
  let stat: Stats;
  try {
    stat = fs.statSync(root);
  } catch (error) {
    throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cannot use cache folder ${root}: ${(error as Error).message}`, { cause: error });
  }
  if (!stat.isDirectory()) throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cache folder ${root} exists but is not a folder`);
  checkFolderSecurity(root, stat, shared);
  // The folders ovcache reads blobs and locks from: the same rules, and no symlinks.
  for (const sub of [ENTRIES_DIR, FINGERPRINTS_DIR, LOCKS_DIR]) {
    const full = path.join(root, sub);
    let subStat: Stats;
    try {
      subStat = fs.lstatSync(full);
    } catch {
      continue; // created below
    }
    if (subStat.isSymbolicLink()) throw insecure(full, 'is a symlink', `Remove it; ovcache creates ${sub}/ itself.`);
    if (!subStat.isDirectory()) throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `${full} exists but is not a folder`);
    checkFolderSecurity(full, subStat, shared);
  }
}

/**
 * The rule ensureCacheDir applies, for a command that only reads an existing cache folder to
 * export or vouch for its entries (pack, verify): throws OVCACHE_CACHE_DIR_INSECURE for a folder,
 * entries/ or an entry folder another user could write into. A folder that does not exist holds
 * nothing to trust and passes. Without options.shared, a folder made group-shared (2770) is
 * checked in 'group' mode, as the results CLI does (results-dir.ts sharedModeOnDisk).
 */
export function checkCacheFolder(root: string, options: CacheDirOptions = {}): void {
  if (!fs.lstatSync(root, { throwIfNoEntry: false })) return;
  const shared = options.shared ?? inheritedMode(root);
  checkExistingRoot(root, shared);
  const entries = path.join(root, ENTRIES_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(entries);
  } catch {
    return;
  }
  for (const name of names) {
    const full = path.join(entries, name);
    const st = fs.lstatSync(full, { throwIfNoEntry: false });
    if (st?.isDirectory()) checkFolderSecurity(full, st, shared);
  }
}

/** Creates the folder (0700), its subfolders and CACHEDIR.TAG. Throws OvcacheError with a clear code. */
export function ensureCacheDir(root: string, options: CacheDirOptions = {}): CacheLayout {
  const layout = cacheLayout(root);
  const shared = options.shared ?? 'owner';
  try {
    makeOwnerOnlyDir(root, shared);
  } catch (error) {
    const readOnly = isReadOnlyError(error);
    throw new OvcacheError(
      readOnly ? 'OVCACHE_CACHE_READ_ONLY' : 'OVCACHE_CACHE_DIR_INVALID',
      `Cannot create cache folder ${root}: ${(error as Error).message}` +
        (readOnly ? ' (use readOnly: true for a read-only cache, or another dir)' : ''),
      { cause: error },
    );
  }
  checkExistingRoot(root, shared);
  try {
    for (const dir of [layout.entries, layout.fingerprints, layout.locks]) makeOwnerOnlyDir(dir, shared);
    const tag = path.join(root, CACHEDIR_TAG);
    if (!fs.existsSync(tag)) {
      try {
        fs.writeFileSync(tag, CACHEDIR_TAG_CONTENT, { flag: 'wx', mode: shared === 'group' ? 0o640 : 0o600 });
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
    }
  } catch (error) {
    if (isReadOnlyError(error)) {
      throw new OvcacheError(
        'OVCACHE_CACHE_READ_ONLY',
        `Cache folder ${root} is not writable (${errnoCode(error)}); use readOnly: true to read it only`,
        { cause: error },
      );
    }
    throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cannot prepare cache folder ${root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return layout;
}

/** A cache folder laid out on first use, and again after it was cleared under a running process. */
export class CacheFolder {
  readonly layout: CacheLayout;
  private laidOut = false;

  constructor(
    root: string,
    private readonly shared: SharedMode,
  ) {
    this.layout = cacheLayout(root);
  }

  /** Whether the folder was laid out by this process (memo files may be written into it). */
  get ready(): boolean {
    return this.laidOut;
  }

  ensure(): void {
    if (this.laidOut) return;
    ensureCacheDir(this.layout.root, { shared: this.shared });
    this.laidOut = true;
  }

  /** Lays the folder out again if entries/ is gone (the cache was cleared meanwhile). */
  ensureStill(): void {
    if (fs.existsSync(this.layout.entries)) return;
    this.laidOut = false;
    this.ensure();
  }
}
