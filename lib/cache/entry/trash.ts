// Entries are deleted by renaming them into <dir>/trash (same filesystem: atomic, so a process
// that still has a blob mmapped keeps its mapping and no reader sees half a folder), then
// deleting the trash folder. Trash left by a crashed removal is cleaned by cleanTrash().
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OvcacheError } from '../../errors';
import { treeBytes } from '../../fs/dir-size';
import { pidAlive } from '../../fs/process-alive';
import { logger } from '../../log';
import { makeOwnerOnlyDir } from '../cache-dir';
import { cacheLayout } from './layout';

const log = logger('cache');

/** Trash whose writer is alive is left to it, unless older than this. */
export const TRASH_GRACE_MS = 3_600_000;

/** A fresh name in the trash folder for an entry about to be renamed there. */
export async function trashTarget(cacheDir: string, entryName: string): Promise<string> {
  const trash = cacheLayout(cacheDir).trash;
  makeOwnerOnlyDir(trash);
  const stat = await fs.promises.lstat(trash);
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw new OvcacheError('OVCACHE_UNSAFE_PATH', `${trash} is not a plain folder`);
  return path.join(trash, `${entryName}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
}

/** fs.rm: lstat-based, unlinks symlinks rather than following them. */
export async function deleteTree(target: string): Promise<void> {
  try {
    await fs.promises.rm(target, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    // Left in trash/: the next cleanTrash() finishes it.
    log('cannot delete %s: %s', target, (error as Error).message);
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
  const trash = cacheLayout(cacheDir).trash;
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
