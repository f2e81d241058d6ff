// Leases on a shared folder: an atomic mkdir (proper-lockfile) whose mtime the holder
// refreshes every ttl/2. A lock not refreshed for ttl - its holder died or hangs - is taken
// over by the next process that asks. Safe where mkdir is atomic (local disks, NFSv3+, EFS).
import fs from 'node:fs';
import path from 'node:path';
import { properLockfile } from '../deferred-deps';
import { logger } from '../log';
import { HeldLeases } from './held-leases';
import type { Lease, LeaseProvider } from './tier';

const log = logger('fleet');

/** proper-lockfile refuses a stale time under 2 s. */
const MIN_TTL_MS = 2000;

export class FolderLeases implements LeaseProvider {
  readonly name: string;
  private readonly held = new HeldLeases();

  constructor(private readonly dir: string) {
    this.name = `folder-lock:${dir}`;
  }

  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${key}.lock`);
    const stale = Math.max(MIN_TTL_MS, ttlMs);
    // proper-lockfile refreshes the lock itself and says so here when it could not.
    let markLost = (why: string) => log('lease %s lost while being taken: %s', file, why);
    let unlock: () => Promise<void>;
    try {
      unlock = await properLockfile().lock(file, {
        lockfilePath: file,
        realpath: false,
        stale,
        update: Math.max(1000, Math.floor(stale / 2)),
        retries: 0,
        onCompromised: (error) => markLost(error.message),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return null;
      throw error;
    }
    const lease = this.held.track(key, { what: file, release: () => unlock() });
    markLost = lease.markLost;
    return lease;
  }

  async close(): Promise<void> {
    await this.held.releaseAll();
  }
}
