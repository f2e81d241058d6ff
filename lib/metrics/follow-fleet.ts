// Follows one Fleet (the tiers below a cache folder): its tier events feed the operation
// counter, the duration histogram, the bytes moved and the refusals by reason (trust). Labels
// name the kind of tier or lease provider (the part of its name before ':'), never its path,
// bucket or a key.
import type { Fleet, TierEvent } from '../fleet/fleet';
import type { MetricSet } from './definitions';
import type { Incrementable, Tally } from './tally';

/** 'folder', 's3', 'redis', 'folder-lock': the kind in a tier's or lease provider's name. */
export function tierKind(name: string): string {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon) : 'other';
}

export class FleetFollower {
  private readonly stop: () => void;
  private readonly children = new Map<string, Incrementable>();

  constructor(fleet: Fleet, m: MetricSet, tally: Tally) {
    const child = (id: string, make: () => Incrementable): Incrementable => {
      let c = this.children.get(id);
      if (!c) this.children.set(id, (c = make()));
      return c;
    };
    const onTier = (e: TierEvent) => {
      const kind = tierKind(e.tier);
      tally.inc(child(`op\0${kind}\0${e.op}\0${e.outcome}`, () => m.tierOperations.labels(kind, e.op, e.outcome)));
      // A skipped call never reached the tier; a lease wait's time is the wait, not a call.
      if (e.outcome !== 'skipped' && e.outcome !== 'waiting') tally.observe(m.tierSeconds.labels(kind, e.op), e.ms / 1000);
      if (e.outcome === 'refused') {
        const reason = e.refusal ?? 'invalid';
        tally.inc(child(`refused\0${kind}\0${reason}`, () => m.tierRefusals.labels(kind, reason)));
      }
      if (e.bytes) {
        const direction = e.op === 'publish' ? 'up' : 'down';
        tally.inc(
          child(`bytes\0${kind}\0${direction}`, () => m.tierBytes.labels(kind, direction)),
          e.bytes,
        );
      }
    };
    fleet.on('tier', onTier);
    this.stop = () => fleet.off('tier', onTier);
  }

  detach(): void {
    this.stop();
  }
}
