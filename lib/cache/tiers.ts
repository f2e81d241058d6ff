// The tiers below the local cache, as the compile flow sees them (lib/fleet implements this):
// on a local miss, beforeFill() copies the entry down from a tier (found) or takes what is
// needed to compile it once across machines; after the fill, finish() publishes the entry and
// lets the others go. Neither ever fails a compile because a tier is down.
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
  /** Waits for background publishes. */
  flush(): Promise<void>;
}
