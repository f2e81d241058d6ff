// The caching policy in `ovcache ls` and `ovcache stats`: an entry's timings and the decision
// for its key (lib/cache/policy/describe.ts), in --json and as a few lines under the tables.
import path from 'node:path';
import { shortKey } from '../cache/key';
import { policyText, policyView, timingsView, type PolicyView, type TimingsView } from '../cache/policy/describe';
import type { PolicyRecord } from '../cache/policy/store';
import type { ScannedEntry } from '../cache/scan';
import { formatDuration } from '../format/units';

export type Decisions = ReadonlyMap<string, PolicyRecord>;

/** The fields ls --json adds to an entry. */
export interface EntryPolicyJson {
  timings: TimingsView | null;
  policy: PolicyView;
}

export function entryPolicyJson(e: ScannedEntry, decisions: Decisions): EntryPolicyJson {
  return { timings: timingsView(e.timings), policy: policyView(e.key ? decisions.get(e.key) : undefined) };
}

/** A decision, with the entry it is about (compile-too-fast leaves none). */
export interface DecisionJson extends PolicyView {
  key: string;
  model: string;
  device: string;
  /** The entry's folder name under entries/; null when the key has no entry. */
  entry: string | null;
}

export function decisionsJson(decisions: Decisions, entries: readonly ScannedEntry[]): DecisionJson[] {
  const byKey = new Map(entries.filter((e) => e.key).map((e) => [e.key as string, e.name]));
  return [...decisions].map(([key, r]) => ({ key, model: r.model, device: r.device, entry: byKey.get(key) ?? null, ...policyView(r) }));
}

/** "140 ms / 18 ms": median warm load / cold compile, "-" without timings. */
export function warmColdText(e: ScannedEntry): string {
  const t = timingsView(e.timings);
  if (!t) return '-';
  return `${t.warmLoadMedianMs === null ? '-' : formatDuration(t.warmLoadMedianMs)} / ${formatDuration(t.coldCompileMs)}`;
}

/** One line per decision against caching; [] when the policy caches everything. */
export function decisionLines(decisions: readonly DecisionJson[], now = Date.now()): string[] {
  if (decisions.length === 0) return [];
  return [
    `Not cached by the policy (${decisions.length}):`,
    ...decisions.map((d) => `  ${path.basename(d.model)} on ${d.device} (key ${shortKey(d.key)}): ${policyText(d, now)}`),
  ];
}
