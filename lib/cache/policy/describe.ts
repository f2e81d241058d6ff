// What explain(), `ovcache ls` and `ovcache stats` show of the caching policy: an entry's
// timings summed up, and the decision the decisions file holds for its key (store.ts reads it).
import path from 'node:path';
import { formatAgo, formatDuration } from '../../format/units';
import { PROBE_INTERVAL_MS } from './policy';
import { POLICY_FILE, readDecisions, type PolicyDecision, type PolicyRecord } from './store';
import { median, roundMs, type EntryTimings } from './timings';

/** An entry's timings as shown: the manifest's, with the warm loads summed up. */
export interface TimingsView {
  coldCompileMs: number;
  blobWriteMs: number | null;
  /** Median of the recorded warm loads; null before the first. */
  warmLoadMedianMs: number | null;
  warmLoadLastMs: number | null;
  warmLoads: number;
}

/** The policy's decision for a key. */
export interface PolicyView {
  /** 'not-cached': compiles of this key skip the cache (`reason`); 'cached': no decision against it. */
  state: 'cached' | 'not-cached';
  reason: PolicyDecision | null;
  /** When the decision was made (ISO time); null when cached. */
  since: string | null;
  /** The compile without the cache and the median warm load the decision compared, ms. */
  compileMs: number | null;
  warmMs: number | null;
  /**
   * not-worth-it: the latest time the next probe (a load from the entry, to measure it anew) is
   * due; a process probes sooner after probeEvery calls. null otherwise: compile-too-fast holds
   * while minCompileMs says so.
   */
  nextProbeAt: string | null;
}

export const CACHED: PolicyView = { state: 'cached', reason: null, since: null, compileMs: null, warmMs: null, nextProbeAt: null };

export function decisionsFile(fingerprintsDir: string): string {
  return path.join(fingerprintsDir, POLICY_FILE);
}

/** The decisions of a cache folder; empty when there is no (readable) decisions file. */
export async function loadDecisions(fingerprintsDir: string): Promise<Map<string, PolicyRecord>> {
  return (await readDecisions(decisionsFile(fingerprintsDir))) ?? new Map<string, PolicyRecord>();
}

export function timingsView(t: EntryTimings | undefined | null): TimingsView | null {
  if (!t) return null;
  return {
    coldCompileMs: t.coldCompileMs,
    blobWriteMs: t.blobWriteMs,
    warmLoadMedianMs: t.warmLoadMs.length > 0 ? roundMs(median(t.warmLoadMs)) : null,
    warmLoadLastMs: t.warmLoadMs.at(-1) ?? null,
    warmLoads: t.warmLoadMs.length,
  };
}

export function policyView(record: PolicyRecord | undefined): PolicyView {
  if (!record) return CACHED;
  return {
    state: 'not-cached',
    reason: record.decision,
    since: record.decidedAt,
    compileMs: record.compileMs,
    warmMs: record.warmMs,
    nextProbeAt: record.decision === 'not-worth-it' ? new Date(record.probedAt + PROBE_INTERVAL_MS).toISOString() : null,
  };
}

const ms = (v: number | null): string => (v === null ? '-' : formatDuration(v));

/** "cold compile 1.2s (blob write 80ms), warm loads 140ms median, 150ms last (5)"; null without timings. */
export function timingsText(t: TimingsView | null): string | null {
  if (!t) return null;
  const write = t.blobWriteMs === null ? '' : ` (blob write ${ms(t.blobWriteMs)})`;
  const warm =
    t.warmLoads === 0 ? 'no warm load yet' : `warm loads ${ms(t.warmLoadMedianMs)} median, ${ms(t.warmLoadLastMs)} last (${t.warmLoads})`;
  return `cold compile ${ms(t.coldCompileMs)}${write}, ${warm}`;
}

/** "not cached (not-worth-it), decided 3 min ago: warm 140ms vs compile 18ms; next probe within 7m"; "cached" otherwise. */
export function policyText(p: PolicyView, now = Date.now()): string {
  if (p.state === 'cached' || p.reason === null) return 'cached';
  const since = p.since ? `, decided ${formatAgo(Date.parse(p.since), now)}` : '';
  const why =
    p.reason === 'not-worth-it'
      ? `warm load ${ms(p.warmMs)} (median) vs compile ${ms(p.compileMs)} without the cache`
      : `compile ${ms(p.compileMs)}, under minCompileMs`;
  const probe = p.nextProbeAt === null ? '' : `; next probe ${probeText(Date.parse(p.nextProbeAt), now)}`;
  return `not cached (${p.reason})${since}: ${why}${probe}`;
}

function probeText(at: number, now: number): string {
  return at <= now ? 'at the next compile' : `within ${formatDuration(at - now)} (or after probeEvery calls)`;
}
