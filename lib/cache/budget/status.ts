// What cache.usage() reports: how far along each budget limit is.
import type { CacheScan, UsageGroup } from '../scan';
import type { VolumeStats } from '../volume';
import { floorBytes, hasLimits, type ResolvedBudget } from './options';

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
