// The measured caching policy (policy: 'auto'). Per entry key (model files, input shapes,
// device, config, runtime):
//   not-worth-it      the median of the last warm loads (at least MIN_WARM_SAMPLES, each run
//                     alone in its process) is above WORTH_RATIO x the compile without the cache
//                     plus NOISE_MS: later compiles skip the cache. Every probeEvery-th call, or
//                     once PROBE_INTERVAL_MS passed, one call loads from the entry again; if that
//                     load is at most WORTH_RATIO x the compile, caching resumes.
//   compile-too-fast  the compile without the cache took less than minCompileMs: the entry is
//                     removed and later compiles skip the cache (while minCompileMs says so).
// Decisions live in the PolicyStore (they survive restarts); reviews run in the manifest
// writer's background updates, never on a compile's path.
import { LRUCache } from 'lru-cache';
import { logger } from '../../log';
import type { EntryManifest } from '../entry/manifest';
import type { ResolvedPolicy } from './options';
import { PLAIN_SAMPLES, type PolicyRecord, type PolicyStore } from './store';
import { median, plainCompileEstimate, roundMs, type EntryTimings } from './timings';

const log = logger('cache');

/** A warm load must be at most this fraction of the compile without the cache to be worth it. */
export const WORTH_RATIO = 0.8;
/** Warm loads needed before an entry is judged. */
export const MIN_WARM_SAMPLES = 5;
/** Differences smaller than this are timer and scheduler noise, not evidence (ms). */
export const NOISE_MS = 5;
/** An entry not cached is probed at least this often, whatever probeEvery says (ms). */
export const PROBE_INTERVAL_MS = 10 * 60_000;
/** Keys whose call counts and compile samples a process remembers. */
const MAX_TRACKED = 10_000;

/** `policy` event of ModelCache: the policy stopped or resumed caching an entry. */
export interface PolicyEvent {
  model: string;
  device: string;
  key: string;
  /** 'uncached': later compiles of this key skip the cache; 'cached': they use it again. */
  decision: 'uncached' | 'cached';
  /** Why: the warm load did not pay, the compile is under minCompileMs, or the warm load pays again. */
  reason: 'not-worth-it' | 'compile-too-fast' | 'worth-it';
  /** The warm load the decision was made on (median, or the probe's), ms; null for compile-too-fast. */
  warmMs: number | null;
  /** The compile without the cache it was compared with, ms. */
  compileMs: number;
  message: string;
}

export interface CachePolicyParts {
  policy: ResolvedPolicy;
  store: PolicyStore;
  /** False for a read-only or switched-off cache: it caches what it can, decides nothing. */
  writable: boolean;
  emit(event: PolicyEvent): void;
}

/** Why the policy sends a compile around the cache (an UncachedReason of compile-types.ts). */
export type PolicySkip = 'not-worth-it' | 'compile-too-fast';

export class CachePolicyKeeper {
  private readonly calls = new LRUCache<string, number>({ max: MAX_TRACKED });
  private readonly probedAt = new LRUCache<string, number>({ max: MAX_TRACKED });
  private readonly plain = new LRUCache<string, number[]>({ max: MAX_TRACKED });
  private active = 0;
  private starts = 0;

  constructor(private readonly p: CachePolicyParts) {}

  private get on(): boolean {
    return this.p.writable && this.p.policy.mode === 'auto';
  }

  /** Marks a cached compile as running; call the result when it ends. */
  enter(): () => void {
    this.active++;
    this.starts++;
    let done = false;
    return () => {
      if (!done) this.active--;
      done = true;
    };
  }

  /** Before an OpenVINO call: a mark for alone(), null when other compiles are running. */
  mark(): number | null {
    return this.active === 1 ? this.starts : null;
  }

  /** Whether no other compile ran in this process since mark() (a load timed under contention is no evidence). */
  alone(mark: number | null): boolean {
    return mark !== null && this.active === 1 && this.starts === mark;
  }

  /** Before a cached compile: the reason to compile this key without the cache, or null. */
  async skip(key: string): Promise<PolicySkip | null> {
    if (!this.on) return null;
    const record = await this.p.store.get(key);
    if (!record) return null;
    if (record.decision === 'compile-too-fast') return record.compileMs < this.p.policy.minCompileMs ? 'compile-too-fast' : null;
    const n = (this.calls.get(key) ?? 0) + 1;
    const now = Date.now();
    if (n >= this.p.policy.probeEvery || now - Math.max(record.probedAt, this.probedAt.get(key) ?? 0) >= PROBE_INTERVAL_MS) {
      this.calls.set(key, 0);
      this.probedAt.set(key, now);
      log('policy: loading %s from the cache again to measure it', key.slice(0, 12));
      return null;
    }
    this.calls.set(key, n);
    return 'not-worth-it';
  }

  /** After a compile the policy sent around the cache: how long compiling without it took. */
  notePlainCompile(key: string, ms: number): void {
    if (this.on) this.plain.set(key, [...(this.plain.get(key) ?? []), roundMs(ms)].slice(-PLAIN_SAMPLES));
  }

  /** After a fill that compiled: true when the compile was under minCompileMs (the decision is recorded; drop the entry). */
  async tooFast(key: string, model: string, device: string, t: EntryTimings): Promise<boolean> {
    if (!this.on || this.p.policy.minCompileMs === 0) return false;
    const compileMs = roundMs(plainCompileEstimate(t));
    if (compileMs >= this.p.policy.minCompileMs) return false;
    await this.persist(key, () => this.record('compile-too-fast', model, device, compileMs, null));
    this.announce({ model, device, key, decision: 'uncached', reason: 'compile-too-fast', warmMs: null, compileMs });
    return true;
  }

  /** In the background, after warm loads were added to an entry's timings: decides, returns the timings to write. */
  async review(key: string, m: EntryManifest, t: EntryTimings): Promise<EntryTimings> {
    const latest = t.warmLoadMs.at(-1);
    if (!this.on || latest === undefined) return t;
    const model = m.modelPaths.at(-1) ?? m.parts.model.name;
    const device = m.parts.device.name;
    const record = await this.p.store.get(key);
    if (record?.decision === 'not-worth-it') {
      const samples = [...record.plainMs, ...(this.plain.get(key) ?? [])].slice(-PLAIN_SAMPLES);
      const compileMs = roundMs(samples.length > 0 ? median(samples) : record.compileMs);
      if (latest <= WORTH_RATIO * compileMs) {
        await this.persist(key, () => null);
        this.calls.delete(key);
        this.plain.delete(key);
        this.announce({ model, device, key, decision: 'cached', reason: 'worth-it', warmMs: latest, compileMs });
        // Judged afresh from here: the slow loads before are no evidence against it any more.
        return { ...t, warmLoadMs: [latest] };
      }
      await this.persist(key, (cur) => (cur ? { ...cur, plainMs: samples, probedAt: Date.now() } : null));
      return t;
    }
    if (record || t.warmLoadMs.length < MIN_WARM_SAMPLES) return t;
    const compileMs = roundMs(plainCompileEstimate(t));
    const warmMs = roundMs(median(t.warmLoadMs));
    if (warmMs > WORTH_RATIO * compileMs + NOISE_MS) {
      await this.persist(key, () => this.record('not-worth-it', model, device, compileMs, warmMs));
      this.announce({ model, device, key, decision: 'uncached', reason: 'not-worth-it', warmMs, compileMs });
    }
    return t;
  }

  private record(
    decision: PolicyRecord['decision'],
    model: string,
    device: string,
    compileMs: number,
    warmMs: number | null,
  ): PolicyRecord {
    const now = Date.now();
    return { decision, model, device, compileMs, warmMs, plainMs: [], decidedAt: new Date(now).toISOString(), probedAt: now };
  }

  /** A decision that cannot be written stays unwritten: it never fails a compile. */
  private async persist(key: string, change: (current: PolicyRecord | undefined) => PolicyRecord | null): Promise<void> {
    try {
      await this.p.store.update(key, change);
    } catch (error) {
      log('policy: cannot record the decision for %s: %s', key.slice(0, 12), (error as Error).message);
    }
  }

  private announce(e: Omit<PolicyEvent, 'message'>): void {
    const what =
      e.reason === 'worth-it'
        ? `caching again: a load took ${e.warmMs} ms, a compile ${e.compileMs} ms`
        : e.reason === 'not-worth-it'
          ? `no longer cached (not-worth-it): warm loads take ${e.warmMs} ms (median), a compile without the cache ${e.compileMs} ms`
          : `not cached (compile-too-fast): the compile took ${e.compileMs} ms, under minCompileMs ${this.p.policy.minCompileMs}`;
    const message = `${e.model} on ${e.device}: ${what}`;
    log('policy: %s', message);
    try {
      this.p.emit({ ...e, message });
    } catch (error) {
      log('policy: a policy listener threw: %s', (error as Error).message);
    }
  }
}
