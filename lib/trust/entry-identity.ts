// What must not change between "may this machine vouch for the entry?" and reading the files it
// signs: the entry folder itself (every replacement - an install from a tier or a bundle -
// renames a new folder in, so its inode changes) and the manifest's key, parts, files and origin
// (an entry copied in carries an origin; one compiled here has none). Checked again after the
// read, a change means the bytes read may be another entry's: nothing is signed.
import fs from 'node:fs';
import { canonicalJson } from '../cache/key';
import type { EntryManifest } from '../cache/entry/manifest';

/** The entry folder's identity, taken before its manifest is read. */
export interface FolderIdentity {
  dev: number;
  ino: number;
}

export async function folderIdentity(entryDir: string): Promise<FolderIdentity> {
  const { dev, ino } = await fs.promises.stat(entryDir);
  return { dev, ino };
}

const vouched = (m: EntryManifest): string =>
  canonicalJson({ key: m.key, parts: m.parts, files: m.files, origin: m.origin ?? null, sources: m.sources });

/**
 * True when `entryDir` is still the folder of `before` and its manifest (`now`, read after the
 * files) vouches for the same thing as `checked` (read before them).
 */
export async function entryUnchanged(
  entryDir: string,
  before: FolderIdentity,
  checked: EntryManifest,
  now: EntryManifest | undefined,
): Promise<boolean> {
  if (!now || vouched(now) !== vouched(checked)) return false;
  const after = await folderIdentity(entryDir).catch(() => undefined);
  return after !== undefined && after.dev === before.dev && after.ino === before.ino;
}

export const CHANGED_WHILE_READ = 'not signed: the entry was replaced while it was being read (a concurrent install or refresh); try again';
