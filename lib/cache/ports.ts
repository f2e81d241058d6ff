// The ports of the cache: what lib/cache calls and others implement and hand in (lib/cache
// imports none of them). Today one: the tiers below the local folder (lib/fleet implements it).
// On a local miss, beforeFill() copies the entry down from a tier (found) or takes what is
// needed to compile it once across machines; after the fill, finish() publishes the entry and
// lets the others go. Neither ever fails a compile because a tier is down.
import type { EntryManifest } from './entry/manifest';
import type { EntryRequest } from './entry/usable';

export interface TierFill {
  /** The entry is now in the local folder (copied from a tier, or filled while waiting): load it. */
  found: boolean;
  /** The tier it was copied from for this compile. */
  tier: string | null;
  /** Bytes copied into the local folder. */
  bytes: number;
  /** Time spent waiting for another process's compile, ms. */
  waitedMs: number;
  /** After the fill: publish entryDir (null: nothing to publish) and release what beforeFill took. */
  finish(entryDir: string | null): Promise<void>;
}

export interface EntryTiers {
  /** An aborted signal ends its waits (a download, the fleet lease): it rejects with the reason, holding nothing. */
  beforeFill(request: EntryRequest, signal?: AbortSignal): Promise<TierFill>;
  /**
   * Asked before an entry in the local folder is used (a hit, or the entry a fill would build on):
   * false, and it is not used: a miss, the fill compiles over it. The tiers say why (lib/fleet: an
   * entry copied in from a tier or a bundle whose signer is not trusted now). Absent: every entry is used.
   */
  acceptEntry?(manifest: EntryManifest): boolean;
  /** Waits for background publishes. */
  flush(): Promise<void>;
  /** At the cache's dispose(), after flush(): lets go of what the tiers hold (if the cache owns them). */
  close?(): Promise<void>;
}

/** Where the tiers sit: the cache's folder and its lock times (for the entry copied down). */
export interface TierPlace {
  dir: string;
  lockTimeoutMs: number;
  staleLockMs: number;
}

/** What a ModelCache is handed besides its options. */
export interface CachePorts {
  /** Called once the cache's options are valid; compiles use the tiers only when the cache may write. */
  tiers?: (place: TierPlace) => EntryTiers;
}
