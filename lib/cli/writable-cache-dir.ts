// For a command that only makes sense on a cache that is there and that it can write (rewarm):
// a folder that does not exist is a mistyped --dir, not an empty cache, and a folder it cannot
// write must fail before the first compile, not after minutes of compiling.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { ENTRIES_DIR } from '../cache/entry/layout';
import { OvcacheError } from '../errors';
import { errnoCode, isReadOnlyError } from '../fs/errno';

/** Throws OVCACHE_CACHE_DIR_MISSING (no such folder) or OVCACHE_CACHE_READ_ONLY (cannot write in it or its entries/). */
export function requireWritableCacheDir(dir: string, source: string, command: string): void {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st)
    throw new OvcacheError(
      'OVCACHE_CACHE_DIR_MISSING',
      `Cache folder ${dir} (from ${source}) does not exist: nothing to ${command}. Check --dir or OVCACHE_DIR; "ovcache du" shows the folder ovcache uses.`,
    );
  if (!st.isDirectory()) throw new OvcacheError('OVCACHE_CACHE_DIR_INVALID', `Cache folder ${dir} exists but is not a folder`);
  const entries = path.join(dir, ENTRIES_DIR);
  for (const folder of fs.existsSync(entries) ? [dir, entries] : [dir]) probeWrite(folder, command);
}

/** Creates and removes a probe file: the only check that also holds for root on a read-only volume. */
function probeWrite(folder: string, command: string): void {
  const probe = path.join(folder, `.ovcache-write-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
    fs.rmSync(probe, { force: true });
  } catch (error) {
    if (!isReadOnlyError(error)) throw error;
    throw new OvcacheError(
      'OVCACHE_CACHE_READ_ONLY',
      `Cache folder ${folder} is not writable (${errnoCode(error)}): nothing was compiled. ${command} writes new entries there: run it where the folder is writable (remount it read-write, or fix its owner and mode).`,
      { cause: error },
    );
  }
}
