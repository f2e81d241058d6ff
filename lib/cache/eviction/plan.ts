// Which entries to evict (evicting them: driver.ts).
//
// planEviction is pure: the same entries and policy give the same plan. Three rules, applied
// in this order, each only to entries no earlier rule took:
//   max-age    last used (the manifest's lastUsedAt, never atime) before now - maxAgeMs
//   per-model  beyond the maxEntriesPerModel most recently used entries of one model
//   size       least recently used first, once usage exceeds maxBytes, until it is at or
//              under the low watermark (default: maxBytes)
// "One model" is ScannedEntry.modelId: the model path most recently compiled into the entry,
// so a model whose weights were replaced in place competes with its older versions and those
// go first. Protected keys (being compiled, loaded in this process) are never planned; they
// still count towards usage and per-model counts.
// Given the current generation (the runtime build loaded, the device identities known), the
// per-model and size rules take entries of another build or device identity before any entry
// of the current one (an upgrade left them stale), and keep the order above within each group.

/** What eviction needs to know of an entry; ScannedEntry has all of it. */
export interface EvictionEntry {
  name: string;
  dir: string;
  key: string | null;
  modelId: string;
  bytes: number;
  lastUsedMs: number;
  createdMs: number;
  /** The runtime build that made the entry; null or absent when unknown (no valid manifest). */
  buildNumber?: string | null;
  /** The device name the entry was compiled for, and its identity (deviceIdentityText). */
  device?: string | null;
  deviceIdentity?: string | null;
}

/** What the runtime now loaded makes: entries of anything else are of an older generation. */
export interface CurrentGeneration {
  buildNumber: string;
  /** Device name -> identity text (deviceIdentityText) of the devices known; others are not compared. */
  deviceIdentities?: ReadonlyMap<string, string>;
}

export interface EvictionPolicy {
  /** Usage above this starts size eviction. */
  maxBytes?: number;
  /** Size eviction brings usage down to this. Default maxBytes; alone, it is also the trigger. */
  lowWatermarkBytes?: number;
  maxAgeMs?: number;
  maxEntriesPerModel?: number;
  now: number;
  protectedKeys?: Iterable<string>;
  /** When given, entries of another generation go first (per-model and size rules). */
  current?: CurrentGeneration;
}

export type EvictionReason = 'max-age' | 'per-model' | 'size';

export interface PlannedRemoval<E extends EvictionEntry = EvictionEntry> {
  entry: E;
  reason: EvictionReason;
  bytes: number;
}

export interface EvictionPlan<E extends EvictionEntry = EvictionEntry> {
  remove: Array<PlannedRemoval<E>>;
  entriesBefore: number;
  bytesBefore: number;
  bytesFreed: number;
  entriesAfter: number;
  bytesAfter: number;
  /** What size eviction aimed for; null without maxBytes / lowWatermarkBytes. */
  targetBytes: number | null;
  /** Still above maxBytes after the plan (protected entries hold the space). */
  overBudget: boolean;
  /** Protected entries a rule would otherwise have taken. */
  protectedSkipped: number;
}

/** Least recently used first; ties by creation time, then name: deterministic. */
export function lruOrder(a: EvictionEntry, b: EvictionEntry): number {
  return a.lastUsedMs - b.lastUsedMs || a.createdMs - b.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Made by another build, or for another identity of a known device. Unknown parts never count as other. */
export function isOtherGeneration(e: EvictionEntry, current: CurrentGeneration): boolean {
  if (e.buildNumber != null && e.buildNumber !== current.buildNumber) return true;
  const identity = e.device != null ? current.deviceIdentities?.get(e.device) : undefined;
  return identity !== undefined && e.deviceIdentity != null && e.deviceIdentity !== identity;
}

/** Other-generation entries first, then lruOrder. */
export function generationOrder(current: CurrentGeneration | undefined): (a: EvictionEntry, b: EvictionEntry) => number {
  if (!current) return lruOrder;
  return (a, b) => Number(isOtherGeneration(b, current)) - Number(isOtherGeneration(a, current)) || lruOrder(a, b);
}

export function planEviction<E extends EvictionEntry>(entries: readonly E[], policy: EvictionPolicy): EvictionPlan<E> {
  const protectedKeys = new Set(policy.protectedKeys ?? []);
  const isProtected = (e: E): boolean => e.key !== null && protectedKeys.has(e.key);
  const taken = new Set<E>();
  const skipped = new Set<E>();
  const remove: Array<PlannedRemoval<E>> = [];
  const take = (e: E, reason: EvictionReason): void => {
    if (taken.has(e)) return;
    if (isProtected(e)) {
      skipped.add(e);
      return;
    }
    taken.add(e);
    remove.push({ entry: e, reason, bytes: e.bytes });
  };
  // Max-age takes every entry past the cutoff, whatever the order; the generation order only
  // decides which entries per-model and size eviction take first.
  const ordered = [...entries].sort(generationOrder(policy.current));

  if (policy.maxAgeMs !== undefined) {
    const cutoff = policy.now - policy.maxAgeMs;
    for (const e of ordered) if (e.lastUsedMs < cutoff) take(e, 'max-age');
  }

  if (policy.maxEntriesPerModel !== undefined) {
    const groups = new Map<string, E[]>();
    for (const e of ordered) {
      if (taken.has(e)) continue;
      const list = groups.get(e.modelId) ?? [];
      list.push(e);
      groups.set(e.modelId, list);
    }
    for (const list of groups.values()) {
      // Oldest first; a protected entry stays and counts as one kept, so an unprotected one goes instead.
      let toRemove = list.length - policy.maxEntriesPerModel;
      for (const e of list) {
        if (toRemove <= 0) break;
        if (isProtected(e)) continue;
        take(e, 'per-model');
        toRemove--;
      }
    }
  }

  const bytesBefore = entries.reduce((n, e) => n + e.bytes, 0);
  let usage = bytesBefore - remove.reduce((n, r) => n + r.bytes, 0);
  const trigger = policy.maxBytes ?? policy.lowWatermarkBytes;
  const targetBytes = trigger === undefined ? null : Math.min(policy.lowWatermarkBytes ?? trigger, trigger);
  if (trigger !== undefined && targetBytes !== null && usage > trigger) {
    for (const e of ordered) {
      if (usage <= targetBytes) break;
      if (taken.has(e)) continue;
      take(e, 'size');
      if (taken.has(e)) usage -= e.bytes;
    }
  }

  const bytesFreed = remove.reduce((n, r) => n + r.bytes, 0);
  return {
    remove,
    entriesBefore: entries.length,
    bytesBefore,
    bytesFreed,
    entriesAfter: entries.length - remove.length,
    bytesAfter: bytesBefore - bytesFreed,
    targetBytes,
    overBudget: policy.maxBytes !== undefined && bytesBefore - bytesFreed > policy.maxBytes,
    protectedSkipped: skipped.size,
  };
}
