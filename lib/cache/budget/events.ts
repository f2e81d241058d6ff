// The `budget` events ModelCache emits, and their once-per-crossing rule.
import type { EvictionReason } from '../eviction/plan';

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

/** What every budget event reports. */
export interface BudgetEventBase {
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
