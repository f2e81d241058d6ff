// Installs a complete entry folder (copied down from a tier, or unpacked from a bundle) into
// a local cache: staged in <cache>/incoming/ on the same file system, then, under the entry's
// local lock (the one compiles and evictors take), renamed into entries/<name>. Readers see
// no entry or a whole one; an entry already complete locally is kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureCacheDir, folderModeFor, makeOwnerOnlyDir, type SharedMode } from '../cache/cache-dir';
import { OvcacheError } from '../errors';
import { acquireLock } from '../cache/entry/lock';
import { readManifest, writeManifest, type EntryManifest } from '../cache/entry/manifest';

export const INCOMING_DIR = 'incoming';

export interface InstallOptions {
  lockTimeoutMs?: number;
  staleLockMs?: number;
  /** Replace a complete local entry too (unpack --force), even one of another key in the same folder. */
  replace?: boolean;
  /** A complete local entry of the same key is kept ('present') only when this accepts it; otherwise it is replaced. */
  keepPresent?: (current: EntryManifest) => boolean;
  /** Stops waiting for the entry's lock (nothing is installed). */
  signal?: AbortSignal | undefined;
}

export type InstallStatus = 'installed' | 'present' | 'busy';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Staging folders left by processes that died mid-copy (named <pid>-<random>); best effort. */
function removeOrphans(incoming: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(incoming);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(incoming, name), { recursive: true, force: true });
  }
}

/** A fresh owner-only folder to stage an entry in, on the cache's file system. */
export function makeStaging(cacheDir: string): string {
  const incoming = path.join(cacheDir, INCOMING_DIR);
  removeOrphans(incoming);
  const dir = path.join(incoming, `${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  for (let attempt = 0; ; attempt++) {
    try {
      makeOwnerOnlyDir(dir);
      return dir;
    } catch (error) {
      // Another process removed the empty incoming/ between our two mkdirs: make it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

/** Removes a staging folder, and incoming/ once empty: outside a copy the cache holds no such folder. */
export async function removeStaging(staging: string): Promise<void> {
  await fs.promises.rm(staging, { recursive: true, force: true });
  await fs.promises.rmdir(path.dirname(staging)).catch(() => undefined);
}

/**
 * Gives a staged entry the modes ovcache creates (folders 0700, files 0600; 2770 and 0640 in a
 * group-shared cache), whatever an archive said: a bundle's member modes (0777) and owners are
 * never kept. Symlinks are never followed (the bundle's filter extracts none).
 */
export async function normalizeModes(dir: string, shared: SharedMode): Promise<void> {
  await fs.promises.chmod(dir, folderModeFor(shared));
  for (const item of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) await normalizeModes(full, shared);
    else if (item.isFile()) await fs.promises.chmod(full, shared === 'group' ? 0o640 : 0o600);
  }
}

/** Moves `staging` (the entry's files, verified) into the cache as entries/<name>; removes staging in every case. */
export async function installEntry(
  cacheDir: string,
  name: string,
  staging: string,
  manifest: EntryManifest,
  options: InstallOptions = {},
): Promise<InstallStatus> {
  try {
    const layout = ensureCacheDir(cacheDir);
    const entryDir = path.join(layout.entries, name);
    const attempt = await acquireLock(path.join(layout.locks, `${manifest.key}.lock`), {
      timeoutMs: options.lockTimeoutMs ?? 30_000,
      staleMs: options.staleLockMs ?? 10_000,
      signal: options.signal,
    });
    if (!attempt.lock) return 'busy';
    try {
      const current = await readManifest(entryDir);
      const complete = current.status === 'ok' && current.manifest.complete;
      if (!options.replace && complete && current.manifest.key === manifest.key && (options.keepPresent?.(current.manifest) ?? true))
        return 'present';
      // Invariant: without replace, a complete valid entry of another key (a folder-name
      // collision, or a crafted name) is never removed to make room.
      if (!options.replace && complete && current.manifest.key !== manifest.key)
        throw new OvcacheError(
          'OVCACHE_ENTRY_CONFLICT',
          `${entryDir} holds the complete entry of another key (${current.manifest.key.slice(0, 16)}…): not replaced by ${manifest.key.slice(0, 16)}…; remove it (ovcache rm) or install with --force to replace it`,
        );
      const now = new Date().toISOString();
      await writeManifest(
        staging,
        { ...manifest, lastUsedAt: now, writer: { pid: process.pid, hostname: manifest.writer.hostname } },
        { fsync: true },
      );
      await fs.promises.rm(entryDir, { recursive: true, force: true });
      await fs.promises.rename(staging, entryDir);
      return 'installed';
    } finally {
      await attempt.lock.release();
    }
  } finally {
    await removeStaging(staging);
  }
}
