// What `ovcache results stats|ls|prune` print: the JSON shapes (docs/cli.md) and their tables.
import { isKey, shortKey } from '../../cache/key';
import { formatAgo, formatBytes, formatDuration } from '../../format/units';
import { formatTable } from '../../format/table';
import type { StoreCounters, StoredEntry } from '../../results/store-records';
import { countOf } from '../../format/count';

export interface ResultsStatsReport {
  dir: string;
  exists: boolean;
  entries: number;
  bytes: number;
  /** Entries past their TTL that no write or prune has removed yet. */
  expiredNow: number;
  hits: number;
  misses: number;
  bypasses: number;
  /** Entries removed past their TTL, by the limits, for a changed file, for damaged stored bytes. */
  expired: number;
  evicted: number;
  removedFiles: number;
  removedDamaged: number;
  hitRate: number;
  timeSavedMs: number;
  byModel: Array<{ model: string; entries: number; bytes: number; hits: number }>;
}

export interface ResultEntryJson {
  key: string;
  model: string;
  bytes: number;
  hits: number;
  computeMs: number;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string | null;
  expired: boolean;
  files: string[];
  storage: 'inline' | 'blob';
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function entryJson(e: StoredEntry, now: number): ResultEntryJson {
  return {
    key: e.key,
    model: e.model,
    bytes: e.bytes,
    hits: e.hits,
    computeMs: Math.round(e.computeMs * 100) / 100,
    createdAt: iso(e.createdAt),
    lastUsedAt: iso(e.lastUsedAt),
    expiresAt: e.expiresAt === null ? null : iso(e.expiresAt),
    expired: e.expiresAt !== null && e.expiresAt <= now,
    files: e.files.map((f) => f.path),
    storage: e.blob === null ? 'inline' : 'blob',
  };
}

export function statsReport(dir: string, counters: StoreCounters | null, entries: StoredEntry[], now: number): ResultsStatsReport {
  const c = counters ?? {
    count: 0,
    bytes: 0,
    hits: 0,
    misses: 0,
    bypasses: 0,
    expired: 0,
    evicted: 0,
    timeSavedMs: 0,
    removedFiles: 0,
    removedDamaged: 0,
  };
  const models = new Map<string, { model: string; entries: number; bytes: number; hits: number }>();
  for (const e of entries) {
    const m = models.get(e.model) ?? { model: e.model, entries: 0, bytes: 0, hits: 0 };
    m.entries++;
    m.bytes += e.bytes;
    m.hits += e.hits;
    models.set(e.model, m);
  }
  const asked = c.hits + c.misses;
  return {
    dir,
    exists: counters !== null,
    entries: c.count,
    bytes: c.bytes,
    expiredNow: entries.filter((e) => e.expiresAt !== null && e.expiresAt <= now).length,
    hits: c.hits,
    misses: c.misses,
    bypasses: c.bypasses,
    expired: c.expired,
    evicted: c.evicted,
    removedFiles: c.removedFiles,
    removedDamaged: c.removedDamaged,
    hitRate: asked === 0 ? 0 : Math.round((c.hits / asked) * 10_000) / 10_000,
    timeSavedMs: Math.round(c.timeSavedMs),
    byModel: [...models.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

export function formatStats(r: ResultsStatsReport, names: ReadonlyMap<string, string> = new Map()): string {
  const lines = [
    `Results folder  ${r.dir}${r.exists ? '' : ' - does not exist yet'}`,
    `Entries         ${r.entries} (${formatBytes(r.bytes)})${r.expiredNow > 0 ? `, ${r.expiredNow} expired awaiting removal` : ''}`,
    `Lookups         ${countOf(r.hits, 'hit')}, ${countOf(r.misses, 'miss')} (hit rate ${r.hits + r.misses === 0 ? '-, no lookups yet' : `${(r.hitRate * 100).toFixed(1)}%`}), ${r.bypasses} bypassed`,
    `Removed         ${r.expired} expired, ${r.evicted} evicted, ${r.removedFiles} for changed files, ${r.removedDamaged} damaged`,
    `Time saved      ${formatDuration(r.timeSavedMs)} of compute`,
  ];
  if (r.byModel.length > 0) {
    lines.push(
      '',
      formatTable(
        ['MODEL', 'ENTRIES', 'SIZE', 'HITS'],
        r.byModel.map((m) => [modelLabel(m.model, names), m.entries, formatBytes(m.bytes), m.hits]),
        { title: 'By model', align: ['left', 'right', 'right', 'right'] },
      ),
    );
  }
  return lines.join('\n');
}

/** "1 entry", "2 entries". */
export function entriesText(n: number): string {
  return countOf(n, 'entry');
}

/**
 * A model identity as `ovcache ls` names the model: a ModelCache entry key becomes that entry's
 * model name (names: entry key -> model); a key of no entry here is shown short, as "? 1a2b3c4d5e6f".
 */
export function modelLabel(model: string, names: ReadonlyMap<string, string>): string {
  if (model === '') return '-';
  if (!isKey(model)) return model;
  return names.get(model) ?? `? ${shortKey(model)}`;
}

/** names: ModelCache entry key -> model name, to name models as `ovcache ls` does. */
export function formatEntries(
  entries: ResultEntryJson[],
  dir: string,
  now: number,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  if (entries.length === 0) return `No stored results in ${dir}`;
  const expires = (e: ResultEntryJson): string => {
    if (e.expiresAt === null) return 'never';
    const left = Date.parse(e.expiresAt) - now;
    return left <= 0 ? 'expired' : `in ${formatDuration(left)}`;
  };
  const table = formatTable(
    ['MODEL', 'SIZE', 'HITS', 'COMPUTE', 'LAST USED', 'EXPIRES', 'FILES', 'KEY'],
    entries.map((e) => [
      modelLabel(e.model, names),
      formatBytes(e.bytes),
      e.hits,
      formatDuration(e.computeMs),
      formatAgo(Date.parse(e.lastUsedAt), now),
      expires(e),
      e.files.length,
      shortKey(e.key),
    ]),
    { align: ['left', 'right', 'right', 'right', 'left', 'left', 'right', 'left'] },
  );
  const bytes = entries.reduce((n, e) => n + e.bytes, 0);
  return `${table}\n\n${entriesText(entries.length)}, ${formatBytes(bytes)} in ${dir}`;
}
