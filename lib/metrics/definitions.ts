// The metrics ovcache exposes: names, help text, label sets and buckets, in one place (the
// reference in docs/observability.md and the Grafana dashboard name exactly these).
// Labels are bounded: device, outcome, reason, condition - never a path, a model name or a key.
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PromClientModule } from './prom-client';

/** Real compiles: milliseconds on the stand-in, up to minutes for a large model on a GPU. */
export const COMPILE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Loads from the cache (imports) and registry loads: sub-millisecond to tens of seconds. */
export const LOAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What gauges and stats-backed counters read at scrape time. */
export interface Collectors {
  /** Hands the events recorded since the last scrape to the event-fed metrics. */
  flushEvents(): void;
  /** Re-measures what is due (cache usage) before the gauges below read it. */
  refresh(): Promise<void>;
  cacheBytes(): number;
  cacheEntries(): number;
  maxBytes(): number;
  availableBytes(): number;
  floorBytes(): number;
  condition(c: 'warn' | 'exceeded' | 'low-space'): number;
  /** Growth since the last call, summed over the observed caches. */
  timeSavedSecondsDelta(): number;
  writtenBytesDelta(): number;
  lockWaitsDelta(): number;
  lockTimeoutsDelta(): number;
  registryModels(): number;
  registryBytes(): number;
  registryQueueDepth(): number;
  resultEntries(): number;
  resultBytes(): number;
  resultTimeSavedSecondsDelta(): number;
}

export interface MetricSet {
  compiles: Counter<'outcome' | 'device'>;
  uncached: Counter<'reason' | 'device'>;
  errors: Counter<'device'>;
  compileSeconds: Histogram<'device'>;
  loadSeconds: Histogram<'device'>;
  evictions: Counter<'reason'>;
  evictedBytes: Counter<'reason'>;
  timeSaved: Counter;
  writtenBytes: Counter;
  lockWaits: Counter;
  lockTimeouts: Counter;
  cacheBytes: Gauge;
  cacheEntries: Gauge;
  maxBytes: Gauge;
  availableBytes: Gauge;
  floorBytes: Gauge;
  budgetCondition: Gauge<'condition'>;
  registryLoads: Counter<'outcome' | 'device'>;
  registryLoadSeconds: Histogram<'device'>;
  registryUnloads: Counter<'reason'>;
  registryModels: Gauge;
  registryBytes: Gauge;
  registryInferences: Counter<'outcome' | 'device'>;
  registryQueueSeconds: Histogram<'device'>;
  registryInferSeconds: Histogram<'device'>;
  registryQueueDepth: Gauge;
  resultLookups: Counter<'outcome' | 'tier'>;
  resultEvictions: Counter<'reason' | 'tier'>;
  resultEntries: Gauge;
  resultBytes: Gauge;
  resultTimeSaved: Counter;
  tierOperations: Counter<'kind' | 'op' | 'outcome'>;
  tierSeconds: Histogram<'kind' | 'op'>;
  tierBytes: Counter<'kind' | 'direction'>;
  tierRefusals: Counter<'kind' | 'reason'>;
}

export const METRIC_NAMES = [
  'ovcache_compiles_total',
  'ovcache_uncached_compiles_total',
  'ovcache_compile_errors_total',
  'ovcache_compile_duration_seconds',
  'ovcache_load_duration_seconds',
  'ovcache_evictions_total',
  'ovcache_evicted_bytes_total',
  'ovcache_time_saved_seconds_total',
  'ovcache_written_bytes_total',
  'ovcache_lock_waits_total',
  'ovcache_lock_timeouts_total',
  'ovcache_cache_bytes',
  'ovcache_cache_entries',
  'ovcache_cache_max_bytes',
  'ovcache_volume_available_bytes',
  'ovcache_cache_free_floor_bytes',
  'ovcache_budget_condition',
  'ovcache_registry_loads_total',
  'ovcache_registry_load_duration_seconds',
  'ovcache_registry_unloads_total',
  'ovcache_registry_models',
  'ovcache_registry_bytes',
  'ovcache_registry_inferences_total',
  'ovcache_registry_queue_wait_seconds',
  'ovcache_registry_infer_duration_seconds',
  'ovcache_registry_queue_depth',
  'ovcache_result_lookups_total',
  'ovcache_result_evictions_total',
  'ovcache_result_entries',
  'ovcache_result_bytes',
  'ovcache_result_time_saved_seconds_total',
  'ovcache_tier_operations_total',
  'ovcache_tier_operation_duration_seconds',
  'ovcache_tier_bytes_total',
  'ovcache_tier_refusals_total',
] as const;

export function defineMetrics(prom: PromClientModule, register: Registry, c: Collectors): MetricSet {
  const registers = [register];
  /** Event-fed metrics: the events since the last scrape are added when it collects. */
  const collect = () => c.flushEvents();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new prom.Counter<L>({ name, help, labelNames, registers, collect });
  /** A counter that follows a stats() figure: grows by its delta at each scrape. */
  const statsCounter = (name: string, help: string, delta: () => number) =>
    new prom.Counter({
      name,
      help,
      registers,
      collect(this: Counter) {
        const d = delta();
        if (d > 0) this.inc(d);
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new prom.Gauge({
      name,
      help,
      registers,
      async collect(this: Gauge) {
        await c.refresh();
        this.set(read());
      },
    });
  return {
    compiles: counter(
      'ovcache_compiles_total',
      'cache.compile() calls by outcome: hit (loaded from the cache), miss (compiled into a new entry), uncached (compiled without the cache).',
      ['outcome', 'device'],
    ),
    uncached: counter(
      'ovcache_uncached_compiles_total',
      'Compiles that ran without the cache, by reason (disabled, call, read-only-miss, lock-timeout, low-space, over-budget, not-worth-it, compile-too-fast, ...).',
      ['reason', 'device'],
    ),
    errors: counter('ovcache_compile_errors_total', 'cache.compile() calls that failed.', ['device']),
    compileSeconds: new prom.Histogram({
      name: 'ovcache_compile_duration_seconds',
      help: "OpenVINO's compile time of real compiles (misses and uncached compiles).",
      labelNames: ['device'],
      buckets: COMPILE_BUCKETS,
      registers,
      collect,
    }),
    loadSeconds: new prom.Histogram({
      name: 'ovcache_load_duration_seconds',
      help: "OpenVINO's import time of loads from the cache (hits).",
      labelNames: ['device'],
      buckets: LOAD_BUCKETS,
      registers,
      collect,
    }),
    evictions: counter('ovcache_evictions_total', 'Entries evicted, by rule: size (maxBytes), max-age, per-model.', ['reason']),
    evictedBytes: counter('ovcache_evicted_bytes_total', 'Bytes freed by evictions, by rule.', ['reason']),
    timeSaved: statsCounter(
      'ovcache_time_saved_seconds_total',
      'Sum over hits of the entry’s recorded compile time minus the load time.',
      () => c.timeSavedSecondsDelta(),
    ),
    writtenBytes: statsCounter('ovcache_written_bytes_total', 'Bytes this process’s compiles added to entry folders.', () =>
      c.writtenBytesDelta(),
    ),
    lockWaits: statsCounter('ovcache_lock_waits_total', 'Compiles that waited for another process compiling the same entry.', () =>
      c.lockWaitsDelta(),
    ),
    lockTimeouts: statsCounter('ovcache_lock_timeouts_total', 'Compiles that gave up waiting for another process’s lock.', () =>
      c.lockTimeoutsDelta(),
    ),
    cacheBytes: gauge('ovcache_cache_bytes', 'Bytes in entry folders (what maxBytes limits), as last measured.', () => c.cacheBytes()),
    cacheEntries: gauge('ovcache_cache_entries', 'Entries in the cache folder, as last measured.', () => c.cacheEntries()),
    maxBytes: gauge('ovcache_cache_max_bytes', 'The maxBytes budget; 0 when there is none.', () => c.maxBytes()),
    availableBytes: gauge('ovcache_volume_available_bytes', 'Free bytes on the volume holding the cache (statfs); 0 when unknown.', () =>
      c.availableBytes(),
    ),
    floorBytes: gauge('ovcache_cache_free_floor_bytes', 'The free-space floor (minFreeBytes / minFreePercent); 0 when there is none.', () =>
      c.floorBytes(),
    ),
    budgetCondition: new prom.Gauge({
      name: 'ovcache_budget_condition',
      help: 'Budget conditions in force (1) or not (0): warn, exceeded, low-space.',
      labelNames: ['condition'],
      registers,
      async collect(this: Gauge<'condition'>) {
        await c.refresh();
        for (const condition of ['warn', 'exceeded', 'low-space'] as const) this.set({ condition }, c.condition(condition));
      },
    }),
    registryLoads: counter(
      'ovcache_registry_loads_total',
      'ModelRegistry loads by outcome: miss, hit, uncached, reuse (already loaded or loading).',
      ['outcome', 'device'],
    ),
    registryLoadSeconds: new prom.Histogram({
      name: 'ovcache_registry_load_duration_seconds',
      help: 'Time of ModelRegistry loads that were not reuses (a compile or a load from the cache).',
      labelNames: ['device'],
      buckets: LOAD_BUCKETS,
      registers,
      collect,
    }),
    registryUnloads: counter(
      'ovcache_registry_unloads_total',
      'Models the registry unloaded, by reason: lru, memory, unload, clear, dispose, changed.',
      ['reason'],
    ),
    registryModels: gauge('ovcache_registry_models', 'Models the registries keep loaded.', () => c.registryModels()),
    registryBytes: gauge('ovcache_registry_bytes', 'Memory estimate of the loaded models.', () => c.registryBytes()),
    registryInferences: counter(
      'ovcache_registry_inferences_total',
      'registry.infer() calls by outcome: inferred, hit / miss / bypass (with a result cache), error, aborted, queue-full.',
      ['outcome', 'device'],
    ),
    registryQueueSeconds: new prom.Histogram({
      name: 'ovcache_registry_queue_wait_seconds',
      help: 'Time registry.infer() calls waited for a free infer request.',
      labelNames: ['device'],
      buckets: LOAD_BUCKETS,
      registers,
      collect,
    }),
    registryInferSeconds: new prom.Histogram({
      name: 'ovcache_registry_infer_duration_seconds',
      help: 'Time of the inference itself in registry.infer() (result-cache hits excluded).',
      labelNames: ['device'],
      buckets: LOAD_BUCKETS,
      registers,
      collect,
    }),
    registryQueueDepth: gauge(
      'ovcache_registry_queue_depth',
      'registry.infer() calls waiting for a free infer request, over every model.',
      () => c.registryQueueDepth(),
    ),
    resultLookups: counter(
      'ovcache_result_lookups_total',
      'ResultCache lookups by outcome (hit, miss, bypass, expired) and by the tier that answered (local, redis).',
      ['outcome', 'tier'],
    ),
    resultEvictions: counter('ovcache_result_evictions_total', 'Results removed by rule (ttl, count, bytes, files) and tier.', [
      'reason',
      'tier',
    ]),
    resultEntries: gauge('ovcache_result_entries', 'Results in the embedded stores.', () => c.resultEntries()),
    resultBytes: gauge('ovcache_result_bytes', 'Bytes of results in the embedded stores.', () => c.resultBytes()),
    resultTimeSaved: statsCounter(
      'ovcache_result_time_saved_seconds_total',
      'Sum over result-cache hits of the compute time recorded with the result.',
      () => c.resultTimeSavedSecondsDelta(),
    ),
    tierOperations: counter(
      'ovcache_tier_operations_total',
      'Fleet tier and lease calls by kind (folder, s3, redis, folder-lock), op (get, publish, lease) and outcome (hit, miss, refused, published, present, acquired, waiting, down, skipped).',
      ['kind', 'op', 'outcome'],
    ),
    tierSeconds: new prom.Histogram({
      name: 'ovcache_tier_operation_duration_seconds',
      help: 'Time of fleet tier calls that reached the tier (skipped calls and lease waits excluded).',
      labelNames: ['kind', 'op'],
      buckets: LOAD_BUCKETS,
      registers,
      collect,
    }),
    tierBytes: counter('ovcache_tier_bytes_total', 'Entry bytes copied down from tiers (down) and published to them (up).', [
      'kind',
      'direction',
    ]),
    tierRefusals: counter(
      'ovcache_tier_refusals_total',
      'Tier entries refused on copy-down by reason: unsigned, untrusted-key, bad-signature, mismatch (bytes other than their digest), invalid (a malformed remote manifest).',
      ['kind', 'reason'],
    ),
  };
}
