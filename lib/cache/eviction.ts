// Which entries to evict, and evicting them.
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
import { removeEntry, DEFAULT_STALE_LOCK_MS, type RemoveResult } from './remove-entry';

/** What eviction needs to know of an entry; ScannedEntry has all of it. */
export interface EvictionEntry {
  name: string;
  dir: string;
  key: string | null;
  modelId: string;
  bytes: number;
  lastUsedMs: number;
  createdMs: number;
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
  const byLru = [...entries].sort(lruOrder);

  if (policy.maxAgeMs !== undefined) {
    const cutoff = policy.now - policy.maxAgeMs;
    for (const e of byLru) if (e.lastUsedMs < cutoff) take(e, 'max-age');
  }

  if (policy.maxEntriesPerModel !== undefined) {
    const groups = new Map<string, E[]>();
    for (const e of byLru) {
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
    for (const e of byLru) {
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

export interface EvictionSkip<E extends EvictionEntry = EvictionEntry> {
  entry: E;
  reason: EvictionReason;
  /** locked: a live process holds it; missing: already gone; error: removal failed (message says why). */
  status: 'locked' | 'missing' | 'error';
  message: string;
}

export interface EvictionResult<E extends EvictionEntry = EvictionEntry> {
  removed: Array<PlannedRemoval<E>>;
  skipped: Array<EvictionSkip<E>>;
  bytesFreed: number;
}

export interface ExecuteOptions {
  staleLockMs?: number;
  /** Spare entries a live process is loading (removeEntry's spareLoading). */
  spareLoading?: boolean;
  /** Removals at once. Default 8. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Injected for tests; default removeEntry. */
  remove?: typeof removeEntry;
}

/** Removes what the plan lists with removeEntry, which re-checks each lock; never throws per entry. */
export async function executeEviction<E extends EvictionEntry>(
  cacheDir: string,
  plan: Pick<EvictionPlan<E>, 'remove'>,
  options: ExecuteOptions = {},
): Promise<EvictionResult<E>> {
  const remove = options.remove ?? removeEntry;
  const result: EvictionResult<E> = { removed: [], skipped: [], bytesFreed: 0 };
  const queue = [...plan.remove];
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      let outcome: RemoveResult;
      try {
        outcome = await remove(cacheDir, item.entry.dir, {
          staleLockMs: options.staleLockMs ?? DEFAULT_STALE_LOCK_MS,
          ...(options.spareLoading ? { spareLoading: true } : {}),
          key: item.entry.key,
          bytes: item.entry.bytes,
        });
      } catch (error) {
        result.skipped.push({ entry: item.entry, reason: item.reason, status: 'error', message: (error as Error).message });
        options.onProgress?.(++done, plan.remove.length);
        continue;
      }
      if (outcome.status === 'removed') {
        result.removed.push({ ...item, bytes: outcome.bytes });
        result.bytesFreed += outcome.bytes;
      } else {
        const message = outcome.status === 'locked' ? outcome.reason : 'already removed';
        result.skipped.push({ entry: item.entry, reason: item.reason, status: outcome.status, message });
      }
      options.onProgress?.(++done, plan.remove.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, plan.remove.length)) }, worker));
  // Workers finish out of order: report in plan order.
  const order = new Map(plan.remove.map((r, i) => [r.entry, i]));
  result.removed.sort((a, b) => (order.get(a.entry) ?? 0) - (order.get(b.entry) ?? 0));
  result.skipped.sort((a, b) => (order.get(a.entry) ?? 0) - (order.get(b.entry) ?? 0));
  return result;
}
