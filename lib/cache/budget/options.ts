// The disk budget's options, checked and defaulted, and the limits they imply. The budget's
// figures are in status.ts, its events in events.ts, the entry-size estimate in
// size-factors.ts; keeper.ts applies them.
import { parseDuration, parseSize } from '../../format/units';
import { expectIntegerInRange, invalidArgument } from '../../openvino/validate';
import type { StatfsFunction, VolumeStats } from '../volume';

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
