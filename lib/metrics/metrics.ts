// createMetrics(): ovcache's Prometheus metrics on a prom-client registry, following every
// ModelCache (and the Fleet of tiers below it), ModelRegistry and ResultCache given to observe().
import type { Registry } from 'prom-client';
import { OvcacheError } from '../errors';
import { LocalModelCache } from '../cache/model-cache';
import { ModelRegistry } from '../registry/index';
import { ResultCache } from '../results/index';
import { expectIntegerInRange, expectPlainObject, invalidArgument, rejectUnknownOptions } from '../openvino/validate';
import { defineMetrics, METRIC_NAMES, type Collectors, type MetricSet } from './definitions';
import { Fleet } from '../fleet/fleet';
import { CacheFollower } from './follow-cache';
import { FleetFollower } from './follow-fleet';
import { RegistryFollower } from './follow-registry';
import { ResultsFollower } from './follow-results';
import { loadPromClient } from './prom-client';
import { Tally } from './tally';

export interface MetricsOptions {
  /** The prom-client registry to register on. Default: prom-client's global `register`. */
  register?: Registry;
  /** The cache folder is re-measured (scanned) at a scrape at most this often; budget events update it in between. Default 30000. */
  usageIntervalMs?: number;
}

export type Observable = LocalModelCache | ModelRegistry | ResultCache | Fleet;

export interface Metrics {
  readonly register: Registry;
  /**
   * Follows a ModelCache (with its fleet of tiers, if it has one), a ModelRegistry, a ResultCache
   * or a Fleet; returns a function that stops following it.
   */
  observe(target: Observable): () => void;
}

const OPTIONS = ['register', 'usageIntervalMs'] as const;

class OvcacheMetrics implements Metrics, Collectors {
  readonly register: Registry;
  private readonly m: MetricSet;
  private readonly caches = new Map<LocalModelCache, CacheFollower>();
  private readonly registries = new Map<ModelRegistry, RegistryFollower>();
  private readonly resultCaches = new Map<ResultCache, ResultsFollower>();
  /** Each Fleet followed once, however many caches share it; counted by its observers. */
  private readonly fleets = new Map<Fleet, { follower: FleetFollower; observers: number }>();
  private readonly usageIntervalMs: number;
  private readonly tally = new Tally();

  constructor(options: MetricsOptions) {
    const prom = loadPromClient();
    const o = expectPlainObject(options ?? {}, 'options') as MetricsOptions;
    rejectUnknownOptions(o as Record<string, unknown>, OPTIONS, 'createMetrics()');
    if (o.register !== undefined && !(o.register instanceof prom.Registry)) {
      throw invalidArgument('a prom-client Registry', 'options.register', o.register);
    }
    this.register = o.register ?? prom.register;
    this.usageIntervalMs = o.usageIntervalMs === undefined ? 30_000 : expectIntegerInRange(o.usageIntervalMs, 'options.usageIntervalMs', 0);
    const taken = METRIC_NAMES.filter((n) => this.register.getSingleMetric(n) !== undefined);
    if (taken.length > 0) {
      throw new OvcacheError(
        'OVCACHE_INVALID_ARGUMENT',
        `ovcache metrics are already registered on this registry (${taken[0]}): call createMetrics() once per registry and observe() every cache and registry with it`,
      );
    }
    this.m = defineMetrics(prom, this.register, this);
  }

  observe(target: Observable): () => void {
    if (target instanceof LocalModelCache) {
      if (this.caches.has(target)) return () => this.stopCache(target);
      this.caches.set(target, new CacheFollower(target, this.m, this.tally, this.usageIntervalMs));
      const fleet = fleetOf(target);
      const stopFleet = fleet ? this.followFleet(fleet) : undefined;
      return () => {
        if (this.caches.has(target)) stopFleet?.();
        this.stopCache(target);
      };
    }
    if (target instanceof Fleet) {
      return this.followFleet(target);
    }
    if (target instanceof ModelRegistry) {
      if (!this.registries.has(target)) this.registries.set(target, new RegistryFollower(target, this.m, this.tally));
      return () => {
        this.registries.get(target)?.detach();
        this.registries.delete(target);
      };
    }
    if (target instanceof ResultCache) {
      if (!this.resultCaches.has(target)) this.resultCaches.set(target, new ResultsFollower(target, this.m, this.tally));
      return () => {
        this.resultCaches.get(target)?.detach();
        this.resultCaches.delete(target);
      };
    }
    throw invalidArgument('a ModelCache, a ModelRegistry, a ResultCache or a Fleet', 'target', target);
  }

  private stopCache(cache: LocalModelCache): void {
    this.caches.get(cache)?.detach();
    this.caches.delete(cache);
  }

  /** Follows a fleet until every observe() of it (direct or through a cache) is stopped. */
  private followFleet(fleet: Fleet): () => void {
    let followed = this.fleets.get(fleet);
    if (!followed) this.fleets.set(fleet, (followed = { follower: new FleetFollower(fleet, this.m, this.tally), observers: 0 }));
    followed.observers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const f = this.fleets.get(fleet);
      if (f && --f.observers === 0) {
        f.follower.detach();
        this.fleets.delete(fleet);
      }
    };
  }

  // ---- Collectors: what the gauges read at scrape time, summed over the observed objects ----

  flushEvents(): void {
    this.tally.flush();
  }

  async refresh(): Promise<void> {
    await Promise.all([...this.caches.values()].map((f) => f.refresh()));
  }

  private sum(read: (f: CacheFollower) => number): number {
    let n = 0;
    for (const f of this.caches.values()) n += read(f);
    return n;
  }

  cacheBytes = () => this.sum((f) => f.figure('bytes'));
  cacheEntries = () => this.sum((f) => f.figure('entries'));
  maxBytes = () => this.sum((f) => f.figure('maxBytes'));
  availableBytes = () => Math.max(0, ...[...this.caches.values()].map((f) => f.figure('availableBytes')));
  floorBytes = () => Math.max(0, ...[...this.caches.values()].map((f) => f.figure('floorBytes')));
  condition = (c: 'warn' | 'exceeded' | 'low-space') => Math.max(0, ...[...this.caches.values()].map((f) => f.conditions[c]));
  timeSavedSecondsDelta = () => this.sum((f) => f.delta('timeSavedMs')) / 1000;
  writtenBytesDelta = () => this.sum((f) => f.delta('bytesWritten'));
  lockWaitsDelta = () => this.sum((f) => f.delta('lockWaits'));
  lockTimeoutsDelta = () => this.sum((f) => f.delta('lockTimeouts'));
  registryModels = () => [...this.registries.values()].reduce((n, r) => n + r.models(), 0);
  registryBytes = () => [...this.registries.values()].reduce((n, r) => n + r.bytes(), 0);
  registryQueueDepth = () => [...this.registries.values()].reduce((n, r) => n + r.queueDepth(), 0);
  resultEntries = () => [...this.resultCaches.values()].reduce((n, r) => n + r.entries(), 0);
  resultBytes = () => [...this.resultCaches.values()].reduce((n, r) => n + r.bytes(), 0);
  resultTimeSavedSecondsDelta = () => [...this.resultCaches.values()].reduce((n, r) => n + r.timeSavedDelta(), 0) / 1000;
}

/**
 * Registers ovcache's metrics on a prom-client registry (the global one by default). Throws
 * OVCACHE_PEER_MISSING without prom-client installed.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  return new OvcacheMetrics(options);
}

/** The fleet below a cache: the package's ModelCache carries one (lib/model-cache.ts); lib/cache's alone, none. */
function fleetOf(cache: LocalModelCache): Fleet | undefined {
  const fleet = (cache as { fleet?: unknown }).fleet;
  return fleet instanceof Fleet ? fleet : undefined;
}
