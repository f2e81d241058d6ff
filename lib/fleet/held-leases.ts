// What every lease provider does with a lease once taken: renew it on an unref'd timer until
// it is released or a renewal finds it gone, and keep it in the set that close() gives back.
// A renewal that fails to reach the server is logged and tried again; only an answer that the
// lease is another's (or gone) marks it lost. At most one renewal is in flight per lease, so a
// server that does not answer never piles calls up (each provider bounds its own calls).
import { logger } from '../log';
import type { Lease } from './tier';

const log = logger('fleet');

export interface LeaseUpkeep {
  /** Names the lease in log lines. */
  what: string;
  /** One renewal: null when renewed, else why the lease is no longer this process's. */
  renew?: () => Promise<string | null>;
  /** How often renew runs. */
  everyMs?: number;
  /** Gives the lease back. Never called once the lease is lost. */
  release(): Promise<void>;
}

export interface TrackedLease extends Lease {
  /** The provider learned by itself that the lease is gone (e.g. proper-lockfile's onCompromised). */
  markLost: (why: string) => void;
}

/** Renewal every ttl/3, never more often than every 200 ms. */
export function renewalInterval(ttlMs: number): number {
  return Math.max(200, Math.floor(ttlMs / 3));
}

export class HeldLeases {
  private readonly held = new Set<Lease>();

  track(key: string, upkeep: LeaseUpkeep): TrackedLease {
    let lost = false;
    let timer: NodeJS.Timeout | undefined;
    const markLost = (why: string) => {
      if (lost) return;
      lost = true;
      clearInterval(timer);
      log('lease %s lost: %s', upkeep.what, why);
    };
    const renew = upkeep.renew;
    if (renew && upkeep.everyMs !== undefined) {
      let renewing = false;
      timer = setInterval(() => {
        if (renewing) return;
        renewing = true;
        renew()
          .then(
            (gone) => {
              if (gone !== null) markLost(gone);
            },
            (error: Error) => log('renewing lease %s: %s', upkeep.what, error.message),
          )
          .finally(() => (renewing = false));
      }, upkeep.everyMs);
      timer.unref();
    }
    const held = this.held;
    const lease: TrackedLease = {
      key,
      get lost() {
        return lost;
      },
      markLost,
      release: async () => {
        clearInterval(timer);
        held.delete(lease);
        if (lost) return;
        await upkeep.release().catch((error: Error) => log('releasing lease %s: %s', upkeep.what, error.message));
      },
    };
    held.add(lease);
    return lease;
  }

  /** Releases every lease still held (a provider's close()). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((l) => l.release()));
  }
}
