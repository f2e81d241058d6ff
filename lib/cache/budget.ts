// The disk budget of a ModelCache: its options, the figures cache.usage() reports, the
// `budget` events with their once-per-crossing rule, and the learned entry-size factors the
// free-space guard estimates with. ModelCache (model-cache.ts) does the I/O and the eviction;
// this file is the arithmetic, kept pure where it can be so it is tested directly.
import fs from 'node:fs';
import path from 'node:path';
import { parseDuration, parseSize } from '../format/units';
import { expectIntegerInRange, invalidArgument } from '../openvino/validate';
import { writeFileAtomic } from './atomic-write';
import type { EvictionReason } from './eviction';
import type { CacheScan, UsageGroup } from './scan';
import type { StatfsFunction, VolumeStats } from './volume';

/** The budget options of `new ModelCache()` (see docs/caching.md, "Budget"). */
export interface BudgetOptions {
  /** Most bytes the cache's entries may hold: a number, or text such as "20GB" or "512 MiB". Default: no limit. */
  maxBytes?: number | string;
  /** Keep at least this much free on the volume holding the cache ("5GB"). Default: no floor. */
  minFreeBytes?: number | string;
  /** Keep at least this percentage (0-100) of the volume free. With minFreeBytes, the larger floor wins. */
  minFreePercent?: number;
  /** A 'warn' budget event when usage reaches this fraction of maxBytes. Default 0.9. */
  warnAt?: number;
  /** Eviction brings usage down to this fraction of maxBytes. Default 0.8. */
  lowWatermark?: number;
  /** Entries not used for this long are evicted: ms, or text such as "30d". Default: no limit. */
  maxAge?: number | string;
  /** At most this many entries (shape/device/config variants) per model. Default: no limit. */
  maxEntriesPerModel?: number;
  /** Check the budget this often (an unref'd timer). Default: no monitor; see cache.startMonitor(). */
  monitorIntervalMs?: number;
  /** statfs replacement (tests pretend the disk is full). Default: the real statfs. */
  statfs?: StatfsFunction;
}

export const BUDGET_OPTIONS = [
  'maxBytes',
  'minFreeBytes',
  'minFreePercent',
  'warnAt',
  'lowWatermark',
  'maxAge',
  'maxEntriesPerModel',
  'monitorIntervalMs',
  'statfs',
] as const;

export interface ResolvedBudget {
  maxBytes: number | null;
  minFreeBytes: number | null;
  minFreePercent: number | null;
  warnAt: number;
  lowWatermark: number;
  maxAgeMs: number | null;
  maxEntriesPerModel: number | null;
  monitorIntervalMs: number | null;
  statfs: StatfsFunction | undefined;
}

export const DEFAULT_WARN_AT = 0.9;
export const DEFAULT_LOW_WATERMARK = 0.8;
/** Entry bytes per weight byte assumed for a device before any entry of it was measured. */
export const DEFAULT_SIZE_FACTOR = 4.0;
/**
 * Entries of models with fewer weight bytes teach no factor: their fixed part (blob header,
 * topology) dominates, and a ratio learned from a tiny model would make every big model look
 * too big to cache.
 */
export const MIN_LEARN_WEIGHT_BYTES = 64 * 1024;
/** Added to every estimate: the blob header and small models' fixed part. */
export const ESTIMATE_OVERHEAD_BYTES = 16 * 1024;

function fraction(value: unknown, name: string, zeroAllowed: boolean, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed) || value > 1) {
    throw invalidArgument(zeroAllowed ? 'a fraction from 0 to 1' : 'a fraction above 0 and at most 1', name, value);
  }
  return value;
}

/** Checks the budget options (sizes and durations parse with OVCACHE_BAD_SIZE / OVCACHE_BAD_DURATION). */
export function resolveBudget(options: BudgetOptions): ResolvedBudget {
  const maxBytes = options.maxBytes === undefined ? null : parseSize(options.maxBytes, 'options.maxBytes');
  if (maxBytes === 0) throw invalidArgument('a size above 0 (or enabled: false to switch the cache off)', 'options.maxBytes', 0);
  const minFreePercent = options.minFreePercent;
  if (minFreePercent !== undefined && (typeof minFreePercent !== 'number' || !(minFreePercent >= 0 && minFreePercent < 100))) {
    throw invalidArgument('a percentage from 0 to below 100', 'options.minFreePercent', minFreePercent);
  }
  if (options.statfs !== undefined && typeof options.statfs !== 'function') {
    throw invalidArgument('a function (dir) => Promise<{ freeBytes, totalBytes, availableBytes }>', 'options.statfs', options.statfs);
  }
  return {
    maxBytes,
    minFreeBytes: options.minFreeBytes === undefined ? null : parseSize(options.minFreeBytes, 'options.minFreeBytes'),
    minFreePercent: minFreePercent ?? null,
    warnAt: fraction(options.warnAt, 'options.warnAt', false, DEFAULT_WARN_AT),
    lowWatermark: fraction(options.lowWatermark, 'options.lowWatermark', true, DEFAULT_LOW_WATERMARK),
    maxAgeMs: options.maxAge === undefined ? null : parseDuration(options.maxAge, 'options.maxAge'),
    maxEntriesPerModel:
      options.maxEntriesPerModel === undefined ? null : expectIntegerInRange(options.maxEntriesPerModel, 'options.maxEntriesPerModel', 1),
    monitorIntervalMs:
      options.monitorIntervalMs === undefined ? null : expectIntegerInRange(options.monitorIntervalMs, 'options.monitorIntervalMs', 100),
    statfs: options.statfs,
  };
}

/** Whether any limit is set (the cache then checks after compiles). */
export function hasLimits(b: ResolvedBudget): boolean {
  return b.maxBytes !== null || hasFloor(b) || b.maxAgeMs !== null || b.maxEntriesPerModel !== null;
}

export function hasFloor(b: ResolvedBudget): boolean {
  return b.minFreeBytes !== null || b.minFreePercent !== null;
}

/** The free-space floor on this volume: the larger of minFreeBytes and minFreePercent of its size. */
export function floorBytes(b: ResolvedBudget, volume: VolumeStats | null): number | null {
  if (!hasFloor(b)) return null;
  const percent = b.minFreePercent !== null && volume ? Math.ceil((b.minFreePercent / 100) * volume.totalBytes) : 0;
  return Math.max(b.minFreeBytes ?? 0, percent);
}

// ---- what cache.usage() reports ----

/** How far along each limit is. A section is null when its limit is not set. */
export interface BudgetStatus {
  maxBytes: {
    limit: number;
    usedBytes: number;
    /** usedBytes / limit. */
    fraction: number;
    warnAtBytes: number;
    lowWatermarkBytes: number;
    warn: boolean;
    exceeded: boolean;
  } | null;
  minFree: {
    floorBytes: number;
    availableBytes: number;
    /** Bytes that can still be written before the floor. */
    headroomBytes: number;
    low: boolean;
  } | null;
  maxAge: {
    limitMs: number;
    /** Age of the least recently used entry; 0 without entries. */
    oldestMs: number;
    fraction: number;
    entriesOver: number;
  } | null;
  maxEntriesPerModel: {
    limit: number;
    /** Entries of the model with the most. */
    most: number;
    fraction: number;
    modelsOver: number;
  } | null;
}

export interface CacheUsage {
  dir: string;
  exists: boolean;
  /** Bytes in entry folders: what maxBytes limits. */
  bytes: number;
  entries: number;
  byModel: Array<UsageGroup & { model: string }>;
  byDevice: Array<UsageGroup & { device: string }>;
  /** ovcache's own bookkeeping (tag, fingerprints, locks): not counted against maxBytes. */
  metadataBytes: number;
  /** Bytes in the folder that no entry accounts for (strays, leftover trash): not counted either. */
  unaccountedBytes: number;
  folderBytes: number;
  /** The volume holding the folder (statfs); null where statfs fails. */
  volume: VolumeStats | null;
  /** null when no budget option is set. */
  budget: BudgetStatus | null;
  scannedAt: string;
  scanMs: number;
}

/** Entries as the budget sees them (what evict() needs of a ScannedEntry). */
export interface BudgetEntry {
  key: string | null;
  modelId: string;
  bytes: number;
  lastUsedMs: number;
}

export function budgetStatus(
  b: ResolvedBudget,
  usedBytes: number,
  entries: readonly BudgetEntry[],
  volume: VolumeStats | null,
  now: number,
): BudgetStatus | null {
  if (!hasLimits(b)) return null;
  const floor = floorBytes(b, volume);
  let oldest = 0;
  let over = 0;
  const perModel = new Map<string, number>();
  for (const e of entries) {
    const ageMs = Math.max(0, now - e.lastUsedMs);
    oldest = Math.max(oldest, ageMs);
    if (b.maxAgeMs !== null && ageMs > b.maxAgeMs) over++;
    perModel.set(e.modelId, (perModel.get(e.modelId) ?? 0) + 1);
  }
  const most = Math.max(0, ...perModel.values());
  return {
    maxBytes:
      b.maxBytes === null
        ? null
        : {
            limit: b.maxBytes,
            usedBytes,
            fraction: usedBytes / b.maxBytes,
            warnAtBytes: Math.floor(b.warnAt * b.maxBytes),
            lowWatermarkBytes: Math.floor(b.lowWatermark * b.maxBytes),
            warn: usedBytes >= b.warnAt * b.maxBytes,
            exceeded: usedBytes > b.maxBytes,
          },
    minFree:
      floor === null || volume === null
        ? null
        : {
            floorBytes: floor,
            availableBytes: volume.availableBytes,
            headroomBytes: volume.availableBytes - floor,
            low: volume.availableBytes < floor,
          },
    maxAge:
      b.maxAgeMs === null
        ? null
        : { limitMs: b.maxAgeMs, oldestMs: oldest, fraction: b.maxAgeMs > 0 ? oldest / b.maxAgeMs : 0, entriesOver: over },
    maxEntriesPerModel:
      b.maxEntriesPerModel === null
        ? null
        : {
            limit: b.maxEntriesPerModel,
            most,
            fraction: most / b.maxEntriesPerModel,
            modelsOver: [...perModel.values()].filter((n) => n > (b.maxEntriesPerModel as number)).length,
          },
  };
}

export function usageFromScan(scan: CacheScan, volume: VolumeStats | null, budget: BudgetStatus | null): CacheUsage {
  return {
    dir: scan.dir,
    exists: scan.exists,
    bytes: scan.totals.bytes,
    entries: scan.totals.entries,
    byModel: scan.byModel,
    byDevice: scan.byDevice,
    metadataBytes: scan.totals.metadataBytes,
    unaccountedBytes: scan.totals.unaccountedBytes,
    folderBytes: scan.totals.folderBytes,
    volume,
    budget,
    scannedAt: scan.scannedAt,
    scanMs: scan.durationMs,
  };
}

// ---- events ----

/** The conditions a `budget` event reports crossing, each once per crossing. */
export type BudgetCondition = 'warn' | 'exceeded' | 'low-space';

/** Why a compile ran without the cache for budget reasons. */
export type BudgetUncachedReason = 'low-space' | 'over-budget';

export interface EvictedEntry {
  name: string;
  key: string | null;
  model: string | null;
  device: string | null;
  bytes: number;
  lastUsedAt: string | null;
  reason: EvictionReason;
}

interface BudgetEventBase {
  /** Entry bytes after whatever the event reports. */
  usedBytes: number;
  entries: number;
  maxBytes: number | null;
  availableBytes: number | null;
  floorBytes: number | null;
  /** One readable line (also in the debug log). */
  message: string;
}

export type BudgetEvent =
  /** warn: usage reached warnAt x maxBytes; exceeded: above maxBytes after eviction; low-space: free space under the floor. */
  | (BudgetEventBase & { kind: BudgetCondition })
  /** A condition that had fired is over. */
  | (BudgetEventBase & { kind: 'recovered'; condition: BudgetCondition })
  /** Entries were removed; trigger says what ran the eviction. */
  | (BudgetEventBase & {
      kind: 'evicted';
      trigger: 'compile' | 'guard' | 'monitor' | 'evict';
      removed: EvictedEntry[];
      bytesFreed: number;
    })
  /** A compile ran without the cache: no room for its entry. */
  | (BudgetEventBase & {
      kind: 'uncached';
      reason: BudgetUncachedReason;
      model: string;
      device: string;
      estimatedBytes: number;
    });

/** Hysteresis: a condition is reported when it starts and again only after it ended ('recovered'). */
export class Crossings {
  private readonly active = new Set<BudgetCondition>();

  /** The transitions since the last call, in order: crossings first, then recoveries. */
  update(now: Record<BudgetCondition, boolean>): Array<{ kind: BudgetCondition | 'recovered'; condition: BudgetCondition }> {
    const out: Array<{ kind: BudgetCondition | 'recovered'; condition: BudgetCondition }> = [];
    for (const c of ['warn', 'exceeded', 'low-space'] as const) {
      if (now[c] && !this.active.has(c)) {
        this.active.add(c);
        out.push({ kind: c, condition: c });
      }
    }
    for (const c of ['exceeded', 'warn', 'low-space'] as const) {
      if (!now[c] && this.active.has(c)) {
        this.active.delete(c);
        out.push({ kind: 'recovered', condition: c });
      }
    }
    return out;
  }

  has(c: BudgetCondition): boolean {
    return this.active.has(c);
  }
}

// ---- learned entry sizes ----

export const SIZE_FACTORS_FILE = 'size-factors.json';
const SIZE_FACTORS_FORMAT = 1;
/** Ratios kept per device; the estimate uses the largest (cautious, yet forgets old outliers). */
const RATIO_WINDOW = 8;

/**
 * Entry bytes per weight byte, learned per device (and CACHE_MODE) from complete entries this
 * cache wrote, persisted in <dir>/fingerprints/size-factors.json (written atomically; a
 * missing or garbled file means "nothing known yet").
 */
export class SizeFactors {
  private ratios = new Map<string, number[]>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly file: string | undefined) {}

  static keyOf(device: string, cacheMode: string | undefined): string {
    return cacheMode ? `${device}|CACHE_MODE=${cacheMode}` : device;
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.file) return;
      try {
        const json = JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as { format?: unknown; devices?: unknown };
        if (json.format !== SIZE_FACTORS_FORMAT || json.devices === null || typeof json.devices !== 'object') return;
        for (const [device, value] of Object.entries(json.devices as Record<string, { ratios?: unknown }>)) {
          const list = value?.ratios;
          if (!Array.isArray(list)) continue;
          const ok = list.filter((r): r is number => typeof r === 'number' && Number.isFinite(r) && r > 0).slice(-RATIO_WINDOW);
          if (ok.length > 0 && !this.ratios.has(device)) this.ratios.set(device, ok);
        }
      } catch {
        // nothing learned yet
      }
    })();
    return this.loaded;
  }

  /** The factor for a device: the largest recent ratio, else DEFAULT_SIZE_FACTOR. */
  async factor(key: string): Promise<{ factor: number; learned: boolean }> {
    await this.load();
    const list = this.ratios.get(key);
    return list && list.length > 0 ? { factor: Math.max(...list), learned: true } : { factor: DEFAULT_SIZE_FACTOR, learned: false };
  }

  /** Records one complete entry and persists the table. */
  async record(key: string, entryBytes: number, weightBytes: number): Promise<void> {
    if (!(weightBytes > 0) || !(entryBytes > 0)) return;
    await this.load();
    const list = [...(this.ratios.get(key) ?? []), entryBytes / weightBytes].slice(-RATIO_WINDOW);
    this.ratios.set(key, list);
    if (!this.file) return;
    const devices: Record<string, { ratios: number[] }> = {};
    for (const [k, v] of this.ratios) devices[k] = { ratios: v.map((r) => Math.round(r * 1e4) / 1e4) };
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ format: SIZE_FACTORS_FORMAT, devices }, null, 2)}\n`);
  }
}

/** Bytes an entry is expected to take: weights x factor + a fixed overhead. */
export function estimateEntryBytes(weightBytes: number, factor: number): number {
  return Math.ceil(weightBytes * factor) + ESTIMATE_OVERHEAD_BYTES;
}
