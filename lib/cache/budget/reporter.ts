// The `budget` events: warn / exceeded / low-space once per crossing and 'recovered' when one
// ends, what an eviction pass removed, and compiles refused for lack of room.
import { logger } from '../../log';
import type { VolumeStats } from '../volume';
import { Crossings, type BudgetCondition, type BudgetEvent, type BudgetUncachedReason, type EvictedEntry } from './events';
import { floorBytes, type ResolvedBudget } from './options';

const log = logger('cache');

/** Usage as every budget event reports it. */
export interface UsageFigures {
  usedBytes: number;
  entries: number;
  volume: VolumeStats | null;
}

export class BudgetReporter {
  private readonly crossings = new Crossings();

  constructor(
    private readonly budget: ResolvedBudget,
    private readonly emit: (event: BudgetEvent) => void,
  ) {}

  /** Compares usage with the limits; emits a crossing when one starts or ends. */
  check(u: UsageFigures): void {
    const b = this.budget;
    const floor = floorBytes(b, u.volume);
    const now: Record<BudgetCondition, boolean> = {
      warn: b.maxBytes !== null && u.usedBytes >= b.warnAt * b.maxBytes,
      exceeded: b.maxBytes !== null && u.usedBytes > b.maxBytes,
      // Without a statfs answer the state stays as it was.
      'low-space': floor === null ? false : u.volume === null ? this.crossings.has('low-space') : u.volume.availableBytes < floor,
    };
    for (const t of this.crossings.update(now)) {
      const base = this.base(u);
      if (t.kind === 'recovered') {
        this.send({ kind: 'recovered', condition: t.condition, ...base, message: `${t.condition} is over: ${describeUsage(base)}` });
      } else {
        const what =
          t.kind === 'warn'
            ? `usage reached ${Math.round(b.warnAt * 100)}% of maxBytes`
            : t.kind === 'exceeded'
              ? 'usage is above maxBytes (protected entries hold the space)'
              : 'free space is under the floor';
        this.send({ kind: t.kind, ...base, message: `${what}: ${describeUsage(base)}` });
      }
    }
  }

  evicted(trigger: 'compile' | 'guard' | 'monitor' | 'evict', removed: EvictedEntry[], bytesFreed: number, u: UsageFigures): void {
    const names = removed.map((r) => `${r.name} (${r.reason})`).join(', ');
    this.send({
      kind: 'evicted',
      trigger,
      removed,
      bytesFreed,
      ...this.base(u),
      message: `evicted ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'} (${bytesFreed} bytes): ${names}`,
    });
  }

  uncached(
    refusal: { reason: BudgetUncachedReason; model: string; device: string; estimatedBytes: number; message: string },
    u: UsageFigures,
  ): void {
    this.send({ kind: 'uncached', ...refusal, ...this.base(u) });
  }

  private base(u: UsageFigures) {
    return {
      usedBytes: u.usedBytes,
      entries: u.entries,
      maxBytes: this.budget.maxBytes,
      availableBytes: u.volume?.availableBytes ?? null,
      floorBytes: floorBytes(this.budget, u.volume),
    };
  }

  private send(event: BudgetEvent): void {
    log('budget %s: %s', event.kind, event.message);
    this.emit(event);
  }
}

function describeUsage(b: {
  usedBytes: number;
  maxBytes: number | null;
  availableBytes: number | null;
  floorBytes: number | null;
}): string {
  const parts = [`${b.usedBytes} bytes in entries${b.maxBytes !== null ? ` of maxBytes ${b.maxBytes}` : ''}`];
  if (b.availableBytes !== null)
    parts.push(`${b.availableBytes} bytes available${b.floorBytes !== null ? ` (floor ${b.floorBytes})` : ''}`);
  return parts.join(', ');
}
