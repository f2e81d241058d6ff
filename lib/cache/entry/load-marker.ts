// The loader/evictor handshake. Lock-free loads take no lock, so each marks itself with a
// `.ovcache-loading.<pid>.<random>` file in the entry while OpenVINO opens the blob; an evictor
// (holding the entry's lock) writes `.ovcache-evicting` before it looks for loaders.
// Whichever comes second sees the other, so a blob is never pulled away under a load (which
// would make OpenVINO compile it again into a folder no manifest describes). Markers of dead
// processes are ignored.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isReadOnlyError } from '../../fs/errno';
import { pidAlive } from '../../fs/process-alive';

export const LOADING_PREFIX = '.ovcache-loading.';

/** Markers are `<pid>.<nonce><n>`: the nonce (drawn once) tells processes of the same pid apart (containers sharing a volume). */
const markerNonce = crypto.randomBytes(4).toString('hex');
let markers = 0;
export const EVICTING_FILE = '.ovcache-evicting';

/**
 * Marks a lock-free load of this entry as running until the returned function is called.
 * Null when the load must not go ahead lock-free: the folder is gone or an evictor is at
 * work (the caller then takes the entry's lock instead).
 */
export function beginLoad(entryDir: string): (() => void) | null {
  // Synchronous on purpose: three small syscalls on every warm hit cost ~20 us this way and
  // several times that through the thread pool.
  let file = path.join(entryDir, `${LOADING_PREFIX}${process.pid}.${markerNonce}${(markers++).toString(36)}`);
  try {
    try {
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    } catch (error) {
      // A name taken already (someone who can write the folder guessed the next one): a random one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      file = path.join(entryDir, `${LOADING_PREFIX}${process.pid}.${crypto.randomBytes(8).toString('hex')}`);
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    }
  } catch (error) {
    // Gone: evicted a moment ago. Unwritable (a read-only volume): no evictor can remove it
    // either, so the load may go ahead unmarked.
    return isReadOnlyError(error) ? () => undefined : null;
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

/**
 * The evictor's half, under the entry's lock: writes its marker, then returns the pids of
 * live processes loading the entry. When there are any, the marker is taken back.
 */
export async function markEvicting(entryDir: string): Promise<number[]> {
  await fs.promises.writeFile(path.join(entryDir, EVICTING_FILE), String(process.pid), { mode: 0o600 });
  const names = await fs.promises.readdir(entryDir).catch(() => [] as string[]);
  const pids = names.filter((n) => n.startsWith(LOADING_PREFIX)).map((n) => Number(n.slice(LOADING_PREFIX.length).split('.')[0]));
  const loaders = pids.filter((pid) => Number.isInteger(pid) && pid > 0 && pidAlive(pid));
  if (loaders.length > 0) await clearEvictingMarker(entryDir);
  return loaders;
}
