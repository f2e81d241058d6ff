// The limits one eviction pass enforces: the cache's budget options, or evict()'s own, turned
// into the per-round policy of the eviction driver (eviction/driver.ts).
import { invalidArgument, expectPlainObject, rejectUnknownOptions } from '../../openvino/validate';
import type { EvictOptions } from '../compile-types';
import type { EvictionState } from '../eviction/driver';
import type { EvictionPolicy } from '../eviction/plan';
import type { VolumeStats } from '../volume';
import { floorBytes, hasFloor, resolveBudget, type ResolvedBudget } from './options';

export interface EvictLimits {
  maxBytes: number | null;
  lowWatermarkBytes: number | null;
  maxAgeMs: number | null;
  maxEntriesPerModel: number | null;
  /** Also evict to keep the volume's free space above the floor. */
  useFloor: boolean;
}

const EVICT_OPTIONS = ['maxBytes', 'lowWatermark', 'maxAge', 'maxEntriesPerModel', 'dryRun'] as const;

/** The cache's own limits (a compile's, the monitor's and the guard's passes). */
export function configuredLimits(b: ResolvedBudget): EvictLimits {
  return {
    maxBytes: b.maxBytes,
    lowWatermarkBytes: b.maxBytes === null ? null : Math.floor(b.lowWatermark * b.maxBytes),
    maxAgeMs: b.maxAgeMs,
    maxEntriesPerModel: b.maxEntriesPerModel,
    useFloor: hasFloor(b),
  };
}

/** evict()'s options over the cache's: checked as the constructor checks them, with the same messages. */
export function evictLimits(options: unknown, b: ResolvedBudget): { limits: EvictLimits; dryRun: boolean } {
  const o = expectPlainObject(options ?? {}, 'options') as EvictOptions;
  rejectUnknownOptions(o as Record<string, unknown>, EVICT_OPTIONS, 'cache.evict()');
  const given = resolveBudget({
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...(o.lowWatermark !== undefined ? { lowWatermark: o.lowWatermark } : {}),
    ...(o.maxAge !== undefined ? { maxAge: o.maxAge } : {}),
    ...(o.maxEntriesPerModel !== undefined ? { maxEntriesPerModel: o.maxEntriesPerModel } : {}),
  });
  if (o.dryRun !== undefined && typeof o.dryRun !== 'boolean') throw invalidArgument('a boolean', 'options.dryRun', o.dryRun);
  const maxBytes = given.maxBytes ?? b.maxBytes;
  const lowWatermark = o.lowWatermark !== undefined ? given.lowWatermark : o.maxBytes !== undefined ? 1 : b.lowWatermark;
  return {
    dryRun: o.dryRun ?? false,
    limits: {
      maxBytes,
      lowWatermarkBytes: maxBytes === null ? null : Math.floor(lowWatermark * maxBytes),
      maxAgeMs: given.maxAgeMs ?? b.maxAgeMs,
      maxEntriesPerModel: given.maxEntriesPerModel ?? b.maxEntriesPerModel,
      useFloor: false,
    },
  };
}

/**
 * The planner's policy for one round: size eviction aims under maxBytes (down to the low
 * watermark) and, with the floor, frees what the volume lacks; `extraBytes` is room to make for
 * an entry about to be written.
 */
export function roundPolicy(
  limits: EvictLimits,
  budget: ResolvedBudget,
  volume: VolumeStats | null,
  extraBytes: number,
  now: number,
): (state: EvictionState) => Omit<EvictionPolicy, 'protectedKeys'> {
  return (state) => {
    let target = Infinity;
    if (limits.maxBytes !== null && state.usedBytes > limits.maxBytes - extraBytes) {
      target = Math.min(limits.lowWatermarkBytes ?? limits.maxBytes, limits.maxBytes) - extraBytes;
    }
    const floor = limits.useFloor ? floorBytes(budget, volume) : null;
    if (floor !== null && volume) {
      const deficit = floor + extraBytes - (volume.availableBytes + state.freedBytes);
      if (deficit > 0) target = Math.min(target, state.usedBytes - deficit);
    }
    const size = target === Infinity ? {} : { maxBytes: Math.max(0, target), lowWatermarkBytes: Math.max(0, target) };
    return {
      ...size,
      ...(limits.maxAgeMs !== null ? { maxAgeMs: limits.maxAgeMs } : {}),
      ...(limits.maxEntriesPerModel !== null ? { maxEntriesPerModel: limits.maxEntriesPerModel } : {}),
      now,
    };
  };
}
