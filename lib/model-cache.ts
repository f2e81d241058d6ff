// The package's ModelCache: the local cache (lib/cache) with its tiers (lib/fleet) plugged into
// the cache's port. The cache never imports the fleet: this file, above both, turns the tier
// options (tiers, coordinator, publish, trust, or a Fleet made beforehand) into a Fleet and hands
// the cache the fleet's EntryTiers; the manifest-driven warm-up runs here too.
import { OvcacheError } from './errors';
import { expectPlainObject, invalidArgument, rejectUnknownOptions } from './openvino/validate';
import { LocalModelCache } from './cache/model-cache';
import { LOCAL_CACHE_OPTIONS, type LocalCacheOptions } from './cache/options';
import type { CachePorts } from './cache/ports';
import type * as EntryTiersModule from './fleet/entry-tiers';
import type * as FleetModule from './fleet/fleet';
import type { Fleet } from './fleet/fleet';
import type * as FleetOptionsModule from './fleet/fleet-options';
import type { FleetOptions, TierOptions } from './fleet/fleet-options';
import type { RedisCoordinatorOptions } from './fleet/redis-lease';
import type * as WarmModule from './fleet/warm';
import type { WarmOptions, WarmReport } from './fleet/warm';
import type { WarmManifest } from './fleet/warm-manifest';
import type { TrustOptions } from './trust/trust-options';
import { followHistory, stopHistory } from './history/attach';
import type * as BackgroundRewarmModule from './rewarm/background';
import type { BackgroundRewarm } from './rewarm/background';

// The fleet (and through it signing), the warm-up and the background rewarm load on first use:
// a cache without tiers never loads lib/fleet or lib/trust (docs/architecture.md, "What a
// process loads"). A Fleet given as options.fleet was made from lib/fleet, so it is loaded.
/* eslint-disable @typescript-eslint/no-require-imports -- literal paths, so bundlers and the structure tool follow them */
const fleetModule = (): typeof FleetModule => require('./fleet/fleet') as typeof FleetModule;
const fleetOptionsModule = (): typeof FleetOptionsModule => require('./fleet/fleet-options') as typeof FleetOptionsModule;
const entryTiersModule = (): typeof EntryTiersModule => require('./fleet/entry-tiers') as typeof EntryTiersModule;
const warmModule = (): typeof WarmModule => require('./fleet/warm') as typeof WarmModule;
const backgroundRewarmModule = (): typeof BackgroundRewarmModule => require('./rewarm/background') as typeof BackgroundRewarmModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The options of the local cache (cache/options.ts), and of the tiers below it (docs/fleet.md). */
export interface ModelCacheOptions extends LocalCacheOptions {
  /** Tiers below the local folder, tried in order on a local miss; fills are published to the writable ones (docs/fleet.md). */
  tiers?: TierOptions[];
  /** With tiers: leases in Redis instead of the first writable tier's own. */
  coordinator?: RedisCoordinatorOptions;
  /** With tiers: 'background' (default) publishes after compile() returns; 'sync' before. */
  publish?: 'background' | 'sync';
  /** A Fleet made beforehand (its own deadlines, lease times, events), instead of tiers/coordinator/publish. */
  fleet?: Fleet;
  /** With tiers: sign published entries, accept only entries signed by a trusted key (docs/fleet.md, Trust). */
  trust?: TrustOptions;
}

const TIER_OPTIONS = ['tiers', 'coordinator', 'publish', 'fleet', 'trust'] as const;
export const MODEL_CACHE_OPTIONS = [...LOCAL_CACHE_OPTIONS, ...TIER_OPTIONS] as const;

export class ModelCache extends LocalModelCache {
  /** The tiers below the folder, if any (made from options.tiers: closed by dispose(); given: the caller's). */
  readonly fleet: Fleet | undefined;
  /** options.rewarm 'background': rewarms old-build entries in idle time (docs/upgrading.md). */
  private readonly rewarm: BackgroundRewarm | undefined;

  constructor(options: ModelCacheOptions) {
    const given = expectPlainObject(options ?? {}, 'options') as ModelCacheOptions;
    rejectUnknownOptions(given as Record<string, unknown>, MODEL_CACHE_OPTIONS, 'new ModelCache()');
    const { tiers, coordinator, publish, fleet, trust, ...local } = given;
    const plan = resolveTiers({ tiers, coordinator, publish, fleet, trust });
    let made: Fleet | undefined;
    const ports: CachePorts =
      plan === undefined
        ? {}
        : {
            // Called once the local options are valid, so a bad one makes no Fleet.
            tiers: (place) => {
              const FleetClass = fleetModule().Fleet;
              made = plan instanceof FleetClass ? plan : new FleetClass(plan);
              return entryTiersModule().fleetTiers(made, place, !(plan instanceof FleetClass));
            },
          };
    super(local, ports);
    this.fleet = made;
    // The history observes the cache's events (lib/history never imports lib/cache).
    if (this.recordsHistory) followHistory(this);
    if (this.rewarmInBackground) this.rewarm = new (backgroundRewarmModule().BackgroundRewarm)(this);
  }

  /** Writes the history's last interval, then disposes the local cache and its tiers. */
  override async dispose(): Promise<void> {
    if (!this.isDisposed) {
      await this.rewarm?.stop();
      await this.flush();
      await stopHistory(this);
    }
    await super.dispose();
  }

  /**
   * Compiles every model of a warm-up manifest into this cache and its writable tiers; says for
   * each whether it was compiled, already cached (here or on a tier) or failed (docs/fleet.md).
   */
  warm(manifest: WarmManifest, options?: WarmOptions): Promise<WarmReport> {
    this.checkNotDisposed();
    return warmModule().warm(this, manifest, options);
  }
}

type TierChoice = Pick<ModelCacheOptions, (typeof TIER_OPTIONS)[number]>;

/** A Fleet given, the checked options to make one, or undefined (no tiers). */
function resolveTiers(options: TierChoice): Fleet | FleetOptions | undefined {
  const { tiers, coordinator, publish, fleet, trust } = options;
  if (fleet !== undefined) {
    if (!(fleet instanceof fleetModule().Fleet)) throw invalidArgument('a Fleet', 'options.fleet', fleet);
    if (tiers !== undefined || coordinator !== undefined || publish !== undefined || trust !== undefined)
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        'Give options.fleet or options.tiers (with coordinator, publish, trust), not both',
      );
    return fleet;
  }
  if (tiers === undefined) {
    if (coordinator !== undefined || publish !== undefined || trust !== undefined)
      throw invalidArgument('a list of tiers', 'options.tiers', tiers);
    return undefined;
  }
  const fleetOptions: FleetOptions = {
    tiers,
    ...(coordinator ? { coordinator } : {}),
    ...(publish ? { publish } : {}),
    ...(trust ? { trust } : {}),
  };
  fleetOptionsModule().resolveFleetOptions(fleetOptions, 'options'); // checked now, so a typo fails here, not at the first compile
  return fleetOptions;
}
