// A Fleet as the compile flow's EntryTiers (lib/cache/tiers.ts): on a local miss, beforeFill()
// copies the entry down from a tier (found) or takes the fleet-wide lease so that one process
// compiles it; after the fill, finish() publishes the entry and releases the lease (in the
// background unless publish is 'sync'). A tier that is down costs a skipped call, never an error.
import type { EntryTiers, TierPlace } from '../cache/ports';
import type { Fleet } from './fleet';
import { localEntryUsable } from './source';

const NOTHING = (): Promise<void> => Promise.resolve();

/** The tiers of `fleet` in front of the local cache folder; `own`: close() closes the fleet. */
export function fleetTiers(fleet: Fleet, place: TierPlace, own: boolean): EntryTiers {
  const { dir: cacheDir, lockTimeoutMs, staleLockMs } = place;
  const lock = { lockTimeoutMs, staleLockMs };
  return {
    async beforeFill(request, signal) {
      const target = { key: request.key, cacheDir, source: request.source, ...lock };
      // An entry another process filled meanwhile counts only when trust accepts it (Fleet.acceptLocal).
      const local = (): Promise<boolean> => localEntryUsable(request, (m) => fleet.acceptLocal(m, cacheDir));
      const first = await fleet.fetch(target, { signal });
      if (first) return { found: true, tier: first.tier, bytes: first.bytes, waitedMs: 0, finish: NOTHING };
      let late: { tier: string; bytes: number } | undefined;
      const held = await fleet.lease(
        request.key,
        async () => {
          if (await local()) return true;
          late = await fleet.fetch(target, { quiet: true, signal });
          return late !== undefined;
        },
        signal,
      );
      if (held.found) return { found: true, tier: late?.tier ?? null, bytes: late?.bytes ?? 0, waitedMs: held.waitedMs, finish: NOTHING };
      const lease = held.lease;
      return {
        found: false,
        tier: null,
        bytes: 0,
        waitedMs: held.waitedMs,
        finish: async (entryDir) => {
          if (!entryDir) {
            await lease?.release();
            return;
          }
          // The lease is kept until the entry is published, so waiters find it when they get the lease.
          const work = fleet.publish(entryDir, request.key).finally(() => lease?.release());
          if (fleet.options.publish === 'sync') await work;
          else fleet.track(work);
        },
      };
    },
    acceptEntry: (manifest) => fleet.acceptLocal(manifest, cacheDir),
    flush: () => fleet.flush(),
    close: () => (own ? fleet.close() : Promise.resolve()),
  };
}
